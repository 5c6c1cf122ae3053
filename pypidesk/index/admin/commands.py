"""``pypidesk admin`` commands for what maintainers do through the API, done as administrator.

prohibit-name and allow-name keep PyPI's list of names no one may register.
yank, unyank, add-role, revoke-token and set-flag run the same service
functions as ``/api/v1/`` with the administrator as actor: role checks do not
apply, and every change is journaled and recorded in the history like an API
call. Each works while ``serve`` runs on the same data dir (SQLite WAL with
``BEGIN IMMEDIATE`` writers; PostgreSQL as usual).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pypidesk.index.records.role_names import ROLE_NAMES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from pypidesk.index.manage.context import Context
    from pypidesk.index.settings import ServerSettings

# Loaded when a command runs, as in admin/cli.py, so `pypidesk --help` stays fast.
FLAG_IDS = (
    "read-only",
    "disallow-new-upload",
    "disallow-new-project-registration",
    "disallow-new-user-registration",
    "disallow-deletion",
)


def add_manage_commands(commands: Any) -> None:
    """Add the maintainer commands to ``pypidesk admin``'s subcommands."""
    yank = commands.add_parser(
        "yank",
        help="yank a release (installers skip it unless pinned with ==)",
        description="Yank release VERSION of project NAME, as its Owner would (PEP 592).",
    )
    yank.add_argument("project", metavar="NAME", help="the project")
    yank.add_argument("version", metavar="VERSION", help="the release")
    yank.add_argument("--reason", default="", help="shown to people who install it anyway")
    yank.set_defaults(admin_handler=_yank)

    unyank = commands.add_parser("unyank", help="undo a yank", description="Undo a yank.")
    unyank.add_argument("project", metavar="NAME", help="the project")
    unyank.add_argument("version", metavar="VERSION", help="the release")
    unyank.set_defaults(admin_handler=_unyank)

    add_role = commands.add_parser(
        "add-role",
        help="give a user a role in a project, without an invitation",
        description="Make user NAME an Owner or Maintainer of PROJECT at once.",
    )
    add_role.add_argument("username", metavar="NAME", help="the user")
    add_role.add_argument("project", metavar="PROJECT", help="the project")
    add_role.add_argument("role", choices=ROLE_NAMES, help="the role")
    add_role.set_defaults(admin_handler=_add_role)

    revoke = commands.add_parser(
        "revoke-token",
        help="revoke a user's API token by name (or id)",
        description="Revoke USER's API token TOKEN_NAME; it stops working at once.",
    )
    revoke.add_argument("username", metavar="USER", help="the token's user")
    revoke.add_argument("token", metavar="TOKEN_NAME", help="the token's name or id")
    revoke.set_defaults(admin_handler=_revoke_token)

    set_flag = commands.add_parser(
        "set-flag",
        help="turn one of PyPI's admin switches on or off",
        description="Turn an admin switch on or off; a running server obeys it at once. "
        "read-only refuses every change; disallow-new-upload every upload; "
        "disallow-new-project-registration uploads that create a project; "
        "disallow-new-user-registration self-registration; disallow-deletion deletions.",
    )
    set_flag.add_argument("flag", metavar="FLAG", choices=FLAG_IDS, help=", ".join(FLAG_IDS))
    set_flag.add_argument("state", choices=["on", "off"], help="on or off")
    set_flag.set_defaults(admin_handler=_set_flag)

    prohibit = commands.add_parser(
        "prohibit-name",
        help="keep a project name from ever being registered",
        description="Refuse uploads that would register project NAME, in any spelling, "
        "with PyPI's text. An existing project of that name is not touched.",
    )
    prohibit.add_argument("name", metavar="NAME", help="the project name")
    prohibit.add_argument("--comment", default="", help="why, for other administrators")
    prohibit.set_defaults(admin_handler=_prohibit_name)

    allow = commands.add_parser(
        "allow-name",
        help="take a name off the prohibited list",
        description="Let project NAME be registered again.",
    )
    allow.add_argument("name", metavar="NAME", help="the project name")
    allow.set_defaults(admin_handler=_allow_name)


def _context(session: Session, settings: ServerSettings) -> Context:
    from pypidesk.index.manage.context import ADMIN, Context  # noqa: PLC0415

    return Context(session, ADMIN, settings.help_url)


def _yank(session: Session, settings: ServerSettings, args: argparse.Namespace) -> str:
    from pypidesk.index.manage.releases import yank  # noqa: PLC0415

    release = yank(_context(session, settings), args.project, args.version, args.reason)
    return f"Yanked {release.project.name} {release.version}."


def _unyank(session: Session, settings: ServerSettings, args: argparse.Namespace) -> str:
    from pypidesk.index.manage.releases import unyank  # noqa: PLC0415

    release = unyank(_context(session, settings), args.project, args.version)
    return f"Unyanked {release.project.name} {release.version}."


def _add_role(session: Session, settings: ServerSettings, args: argparse.Namespace) -> str:
    from pypidesk.index.manage.roles import add_role  # noqa: PLC0415

    role = add_role(_context(session, settings), args.project, args.username, args.role)
    return f"{role.user.username} is now {role.role_name} of {role.project.name}."


def _revoke_token(session: Session, settings: ServerSettings, args: argparse.Namespace) -> str:
    from sqlalchemy import or_, select  # noqa: PLC0415

    from pypidesk.index.db.models import ApiToken  # noqa: PLC0415
    from pypidesk.index.manage.api_tokens import revoke_own_token  # noqa: PLC0415
    from pypidesk.index.manage.errors import NotFoundError  # noqa: PLC0415
    from pypidesk.index.manage.lookup import get_user  # noqa: PLC0415

    user = get_user(session, args.username)
    token_id = session.scalar(
        select(ApiToken.id).where(
            ApiToken.user_id == user.id,
            or_(ApiToken.name == args.token, ApiToken.id == args.token),
        )
    )
    if token_id is None:
        raise NotFoundError(f"User '{user.username}' has no token named '{args.token}'.")
    token = revoke_own_token(_context(session, settings), user, token_id)
    return f"Revoked token {token.name!r} of {user.username}."


def _set_flag(session: Session, _settings: ServerSettings, args: argparse.Namespace) -> str:
    from pypidesk.index.records import flags  # noqa: PLC0415
    from pypidesk.index.records.events import record_event  # noqa: PLC0415

    enabled = args.state == "on"
    flags.set_flag(session, args.flag, enabled)
    record_event(session, "admin:flag:set", additional={"flag": args.flag, "enabled": enabled})
    return f"{args.flag} is {args.state}."


def _prohibit_name(session: Session, _settings: ServerSettings, args: argparse.Namespace) -> str:
    from pypidesk.index.records.events import record_event  # noqa: PLC0415
    from pypidesk.index.records.projects import prohibit_name  # noqa: PLC0415

    normalized = prohibit_name(session, args.name, args.comment)
    record_event(session, "admin:name:prohibit", project_name=normalized)
    return f"The name {normalized!r} can no longer be registered."


def _allow_name(session: Session, _settings: ServerSettings, args: argparse.Namespace) -> str:
    from pypidesk.index.records.events import record_event  # noqa: PLC0415
    from pypidesk.index.records.projects import allow_name  # noqa: PLC0415

    normalized = allow_name(session, args.name)
    record_event(session, "admin:name:allow", project_name=normalized)
    return f"The name {normalized!r} can be registered again."
