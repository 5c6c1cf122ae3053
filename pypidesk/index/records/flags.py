"""PyPI's admin kill-switches, stored as rows of ``admin_flags``.

An operator flips them (``pypidesk admin set-flag``) while the server runs, so
every check reads the database instead of a cached value: the switch takes
effect with the next request of every worker. A flag without a row is off.
The ids and the refusal texts are PyPI's, so clients that match on them keep
working (docs/pypi-behaviour.md, "Admin switches"). They are written only here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pypidesk.index.db.models import AdminFlag
from pypidesk.index.errors import RefusedError

READ_ONLY = "read-only"
DISALLOW_NEW_UPLOAD = "disallow-new-upload"
DISALLOW_NEW_PROJECT_REGISTRATION = "disallow-new-project-registration"
DISALLOW_NEW_USER_REGISTRATION = "disallow-new-user-registration"
DISALLOW_DELETION = "disallow-deletion"

# What each switch does, for `set-flag --help` and the API's flag listing.
FLAGS: dict[str, str] = {
    READ_ONLY: "refuse every change (uploads, management, sign-ins that mint tokens)",
    DISALLOW_NEW_UPLOAD: "refuse every upload",
    DISALLOW_NEW_PROJECT_REGISTRATION: "refuse uploads that would create a new project",
    DISALLOW_NEW_USER_REGISTRATION: "refuse self-registration of new users",
    DISALLOW_DELETION: "refuse deleting files, releases and projects",
}

# PyPI's texts; "{help}" is the server's help page with the anchor appended.
_MESSAGES: dict[str, str] = {
    READ_ONLY: "Read-only mode: Uploads are temporarily disabled.",
    DISALLOW_NEW_UPLOAD: (
        "New uploads are temporarily disabled. See {help} for more information."
    ),
    DISALLOW_NEW_PROJECT_REGISTRATION: (
        "New project registration temporarily disabled. See {help} for more information."
    ),
    DISALLOW_NEW_USER_REGISTRATION: (
        "New user registration temporarily disabled. See {help} for details."
    ),
    DISALLOW_DELETION: "Project deletion temporarily disabled. See {help} for details.",
}

# PyPI's read-only text names uploads only; the management API refuses more.
_READ_ONLY_MANAGEMENT = "Read-only mode: changes are temporarily disabled. See {help} for details."


class UnknownFlagError(RefusedError, ValueError):
    """A flag id that is not one of :data:`FLAGS`; the message lists the valid ones (400)."""

    code = "unknown_flag"

    def __init__(self, flag_id: str) -> None:
        super().__init__(f"Unknown flag '{flag_id}'; choose one of: {', '.join(FLAGS)}.")


def _check(flag_id: str) -> None:
    if flag_id not in FLAGS:
        raise UnknownFlagError(flag_id)


def is_enabled(session: Session, flag_id: str) -> bool:
    """Whether the switch ``flag_id`` is on right now."""
    _check(flag_id)
    return bool(session.scalar(select(AdminFlag.enabled).where(AdminFlag.id == flag_id)))


def set_flag(session: Session, flag_id: str, enabled: bool) -> None:
    """Turn ``flag_id`` on or off (creating its row on first use)."""
    _check(flag_id)
    flag = session.get(AdminFlag, flag_id)
    if flag is None:
        session.add(AdminFlag(id=flag_id, enabled=enabled))
    else:
        flag.enabled = enabled
    session.flush()


def all_flags(session: Session) -> dict[str, bool]:
    """Every known switch with its state, in :data:`FLAGS` order."""
    stored = {
        row.id: row.enabled for row in session.execute(select(AdminFlag.id, AdminFlag.enabled))
    }
    return {flag_id: bool(stored.get(flag_id, False)) for flag_id in FLAGS}


def message(flag_id: str, help_url: str) -> str:
    """PyPI's refusal text for ``flag_id``, pointing at ``help_url``."""
    _check(flag_id)
    return _MESSAGES[flag_id].format(help=_anchor(help_url))


def read_only_management_message(help_url: str) -> str:
    """The refusal of a management action (not an upload) in read-only mode."""
    return _READ_ONLY_MANAGEMENT.format(help=_anchor(help_url))


def _anchor(help_url: str) -> str:
    return f"{help_url}#admin-intervention"
