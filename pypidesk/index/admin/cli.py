"""``pypidesk admin``: manage the index's records from a shell, with or without a server.

Every command migrates the database first (as ``serve`` does, under the same
lock), so it works on a new data dir before the server has ever run, and
beside a running server on the same data dir. Each command runs in one write
transaction; its output is printed only after the commit, so a token is
never shown that was not saved.

To add a command: a parser in :func:`add_admin_parser` whose defaults set
``admin_handler`` (and optionally ``admin_prepare`` for input that must be
read before the transaction starts). Its expected failures need no list:
every one is a :class:`~pypidesk.index.errors.ServerError`, reported on one
line with exit code 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pypidesk.index.admin.commands import add_manage_commands
from pypidesk.index.admin.import_cli import add_import_command
from pypidesk.index.admin.upstream_commands import add_upstream_commands
from pypidesk.index.errors import RefusedError, ServerError
from pypidesk.paths import default_data_dir

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from pypidesk.index.settings import ServerSettings

# The record and server modules load only when a command runs, so that
# `pypidesk --help` and the desktop app do not pay for them.
# A handler returns what to print on stdout once its transaction committed.
Handler = Callable[["Session", "ServerSettings", argparse.Namespace], str]
EXIT_FAILED = 1


class AdminCommandError(RefusedError):
    """A command that cannot be done; the message is one line that says why."""


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days (1 or more)")
    return number


def add_admin_parser(subcommands: Any) -> argparse.ArgumentParser:
    """Add ``admin`` and its commands to the ``pypidesk`` subcommands."""
    admin: argparse.ArgumentParser = subcommands.add_parser(
        "admin",
        help="manage users, API tokens, roles, releases and admin switches of the index",
        description=(
            "Manage the index's users, API tokens, roles, releases and admin switches. "
            "Works on a new data dir (the "
            "records are created) and while `pypidesk serve` runs on the same one."
        ),
    )
    admin.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the index's data dir: its SQLite records and secret.key, the secret every "
        f"API token is derived from (default: {default_data_dir()})",
    )
    admin.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL of the records instead of SQLite in the data dir; the token "
        "secret still lives in the data dir, which every server worker must share",
    )
    commands = admin.add_subparsers(
        dest="admin_command", metavar="COMMAND", required=True, parser_class=type(admin)
    )

    create_user = commands.add_parser(
        "create-user",
        help="add a user; the password is read from stdin",
        description="Add a user. The password (8 characters or more) is read from stdin, "
        "one line, e.g. printf '%%s\\n' \"$PASSWORD\" | pypidesk admin create-user NAME ...",
    )
    create_user.add_argument("username", metavar="NAME", help="letters, digits, '.', '_', '-'")
    create_user.add_argument("--email", required=True, help="the user's email address")
    create_user.set_defaults(admin_prepare=_read_password, admin_handler=_create_user)

    create_token = commands.add_parser(
        "create-token",
        help="make an API token for a user and print it",
        description="Make an API token (pypi-...) for NAME and print it on stdout, alone. "
        "Without --project it works for every project the user may upload to.",
    )
    create_token.add_argument("username", metavar="NAME", help="the user the token acts as")
    create_token.add_argument(
        "--project",
        action="append",
        metavar="P",
        help="restrict the token to this existing project (repeatable)",
    )
    create_token.add_argument(
        "--expires-in-days", type=_positive_int, metavar="N", help="the token expires after N days"
    )
    create_token.add_argument(
        "--name", metavar="TOKEN_NAME", help="a name unique for the user (default: cli-<time>)"
    )
    create_token.add_argument(
        "--permission",
        action="append",
        choices=["upload", "manage"],
        help="what the token may do: upload files, manage projects (repeatable; default: upload)",
    )
    create_token.set_defaults(admin_handler=_create_token)
    # yank, unyank, add-role, revoke-token, set-flag
    add_manage_commands(commands)
    # import: many transactions, its own runner (admin_run)
    add_import_command(commands)
    # track-upstream, untrack-upstream (PEP 708)
    add_upstream_commands(commands)
    return admin


def run_admin(args: argparse.Namespace) -> int:
    """Run the parsed ``admin`` command; 0 on success, 1 on an expected failure."""
    from pypidesk.index.settings import ServerSettings  # noqa: PLC0415

    settings = ServerSettings(
        data_dir=args.data_dir or default_data_dir(),
        database_url=args.database_url,
        # The operator is not limited by the anti-spam limit on new projects.
        new_projects_per_hour=0,
    )
    try:
        # A command of many transactions (import) runs itself; the rest run in one.
        runner = getattr(args, "admin_run", None)
        if runner is not None:
            status: int = runner(settings, args)
            return status
        output = _run(settings, args)
    except ServerError as error:
        sys.stderr.write(f"pypidesk admin {args.admin_command}: error: {error}\n")
        return EXIT_FAILED
    sys.stdout.write(output + "\n")
    return 0


def _run(settings: ServerSettings, args: argparse.Namespace) -> str:
    from pypidesk.index.db.engine import Database  # noqa: PLC0415
    from pypidesk.index.db.migrate import upgrade  # noqa: PLC0415
    from pypidesk.index.db.private_files import prepare_data_dir  # noqa: PLC0415

    prepare = getattr(args, "admin_prepare", None)
    if prepare is not None:
        prepare(args)
    prepare_data_dir(settings.data_dir)
    database = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(database.engine, settings.data_dir)
        handler: Handler = args.admin_handler
        with database.write() as session:
            return handler(session, settings, args)
    finally:
        database.dispose()


def _read_password(args: argparse.Namespace) -> None:
    # Read before the write transaction opens: SQLite holds its write lock
    # from BEGIN IMMEDIATE, and a person may be slow to type.
    line = sys.stdin.readline()
    if not line:
        raise AdminCommandError("no password on stdin; give it as one line")
    args.password = line.removesuffix("\n").removesuffix("\r")


def _create_user(session: Session, _settings: ServerSettings, args: argparse.Namespace) -> str:
    from pypidesk.index.records.accounts import create_user  # noqa: PLC0415

    user = create_user(session, args.username, args.email, args.password)
    return f"Created user {user.username!r}."


def _create_token(session: Session, settings: ServerSettings, args: argparse.Namespace) -> str:
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from sqlalchemy import select  # noqa: PLC0415

    from pypidesk.index.db.models import Project  # noqa: PLC0415
    from pypidesk.index.records.accounts import create_token, get_user  # noqa: PLC0415

    user = get_user(session, args.username)
    projects = []
    for name in args.project or []:
        query = select(Project).where(Project.normalized_name == canonicalize_name(name))
        project = session.scalars(query).one_or_none()
        if project is None:
            raise AdminCommandError(f"No project named {name!r}.")
        projects.append(project)
    now = dt.datetime.now(dt.UTC)
    expires_at = now + dt.timedelta(days=args.expires_in_days) if args.expires_in_days else None
    return create_token(
        session,
        settings,
        user,
        args.name or f"cli-{now:%Y%m%dT%H%M%S.%fZ}",
        projects=projects,
        expires_at=expires_at,
        permissions=args.permission or ["upload"],
    )
