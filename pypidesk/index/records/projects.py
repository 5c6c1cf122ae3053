"""Registering a new project: PyPI's name rules, the Owner role, the journal.

A project is created by the first upload of a name. The checks run in PyPI's
order (rate limit, registration switch, then the name rules) and fail with
PyPI's status codes and texts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pypidesk.index.db.models import (
    JournalEntry,
    ProhibitedProjectName,
    Project,
    Role,
    User,
    utcnow,
)
from pypidesk.index.errors import RefusedError
from pypidesk.index.records import flags, journal
from pypidesk.index.records.role_names import RoleName
from pypidesk.index.records.stdlib_names import is_stdlib_name
from pypidesk.index.settings import ServerSettings

if TYPE_CHECKING:
    from pypidesk.index.upload.records import UserRecord

PROJECT_NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)

_ULTRA_MAP = str.maketrans({"l": "1", "i": "1", "o": "0", ".": None, "_": None, "-": None})


class ProjectCreationError(RefusedError):
    """A refused registration, with PyPI's HTTP status and text."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, status=status)


def is_valid_name(name: str) -> bool:
    """PyPI's project-name pattern (ASCII letters, digits and ``._-`` inside)."""
    return name.isascii() and PROJECT_NAME_RE.match(name) is not None


def ultranormalize(name: str) -> str:
    """PyPI's look-alike key: no ``._-``, l/i→1, o→0, lowercase."""
    return name.lower().translate(_ULTRA_MAP)


def find_project(session: Session, name: str) -> Project | None:
    """The project whose normalized name matches ``name``, if any."""
    return session.scalar(
        select(Project).where(Project.normalized_name == canonicalize_name(name))
    )


def create_project(
    session: Session,
    settings: ServerSettings,
    name: str,
    user: User | UserRecord,
    *,
    rate_limited: bool = True,
) -> Project:
    """Register ``name`` for ``user`` (an ORM row or the upload path's), who becomes its Owner.

    Raises :class:`ProjectCreationError` with PyPI's status and message.
    ``rate_limited=False``: an administrator's action (``admin import``), not
    held to the per-user limit on new projects.
    """
    help_url = settings.help_url
    if rate_limited:
        _check_rate_limit(session, user, settings.new_projects_per_hour)
    if flags.is_enabled(session, flags.DISALLOW_NEW_PROJECT_REGISTRATION):
        raise ProjectCreationError(
            403, flags.message(flags.DISALLOW_NEW_PROJECT_REGISTRATION, help_url)
        )
    if not is_valid_name(name):
        raise ProjectCreationError(400, f"The name {name!r} is invalid.")
    if is_stdlib_name(name):
        raise ProjectCreationError(
            400,
            f"The name {name!r} isn't allowed (conflict with Python Standard Library "
            f"module name). See {help_url}#project-name for more information.",
        )
    if find_project(session, name) is not None:
        raise ProjectCreationError(
            409,
            f"The name {name!r} conflicts with an existing project. "
            f"See {help_url}#project-name for more information.",
        )
    if session.get(ProhibitedProjectName, canonicalize_name(name)) is not None:
        raise ProjectCreationError(
            400,
            f"The name {name!r} isn't allowed. See {help_url}#project-name for more information.",
        )
    key = ultranormalize(name)
    for existing in session.scalars(select(Project.normalized_name)):
        if ultranormalize(existing) == key:
            raise ProjectCreationError(
                400,
                f"The name {name!r} is too similar to an existing project. "
                f"See {help_url}#project-name for more information.",
            )
    project = Project(name=name, normalized_name=canonicalize_name(name))
    session.add(project)
    session.flush()
    session.add(Role(user_id=user.id, project_id=project.id, role_name=RoleName.OWNER))
    journal.record(session, project, "create", submitted_by=user.username)
    journal.record(
        session, project, f"add {RoleName.OWNER} {user.username}", submitted_by=user.username
    )
    return project


def prohibit_name(session: Session, name: str, comment: str = "") -> str:
    """Put ``name`` (any spelling) on the list no one may register; returns its normal form."""
    normalized = canonicalize_name(name)
    if not is_valid_name(name):
        raise ProjectCreationError(400, f"The name {name!r} is invalid.")
    if session.get(ProhibitedProjectName, normalized) is None:
        session.add(ProhibitedProjectName(name=normalized, comment=comment))
    return normalized


def allow_name(session: Session, name: str) -> str:
    """Take ``name`` off the prohibited list again."""
    normalized = canonicalize_name(name)
    row = session.get(ProhibitedProjectName, normalized)
    if row is None:
        raise ProjectCreationError(404, f"The name {name!r} is not prohibited.")
    session.delete(row)
    return normalized


def _check_rate_limit(session: Session, user: User | UserRecord, per_hour: int) -> None:
    """PyPI allows 20 new projects per user per hour; the journal remembers them.

    ``per_hour`` is the operator's choice (``serve --new-projects-per-hour``), 0
    for no limit: a private index that brings in a hundred projects at once.
    """
    if per_hour == 0:
        return
    since = utcnow() - dt.timedelta(hours=1)
    created = session.scalar(
        select(func.count(JournalEntry.id)).where(
            JournalEntry.action == "create",
            JournalEntry.submitted_by == user.username,
            JournalEntry.submitted_at >= since,
        )
    )
    if created is not None and created >= per_hour:
        raise ProjectCreationError(429, "Too many new projects created")
