"""The queries of the read side, in one place.

Two kinds: the cheap serial checks run on every read (one indexed lookup
each), and the full loads run only when a page must be rendered again.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, selectinload

from pypidesk.index.db.models import JournalEntry, Project, Release, Role


@dataclasses.dataclass(frozen=True, slots=True)
class ProjectSerial:
    """What the serial check learns: the display name and the project's serial."""

    name: str
    last_serial: int


def global_serial(connection: Connection) -> int:
    """``max(journals.id)``, 0 on an empty index: the serial of the index page."""
    return connection.scalar(select(func.coalesce(func.max(JournalEntry.id), 0))) or 0


def project_serial(connection: Connection, normalized_name: str) -> ProjectSerial | None:
    """The project's display name and ``last_serial``, or None if there is no such project."""
    row = connection.execute(
        select(Project.name, Project.last_serial).where(Project.normalized_name == normalized_name)
    ).first()
    return None if row is None else ProjectSerial(row.name, row.last_serial)


def load_project(session: Session, normalized_name: str) -> Project | None:
    """The project with its releases, files and roles, loaded in a few round trips."""
    return session.scalar(
        select(Project)
        .where(Project.normalized_name == normalized_name)
        .options(
            selectinload(Project.releases).selectinload(Release.files),
            selectinload(Project.roles).selectinload(Role.user),
        )
    )


def project_listing(session: Session) -> list[tuple[str, int]]:
    """``(display name, last_serial)`` of every project, by normalized name."""
    rows = session.execute(
        select(Project.name, Project.last_serial).order_by(Project.normalized_name)
    )
    return [(row.name, row.last_serial) for row in rows]


def journal_since(session: Session, since: int, limit: int) -> list[JournalEntry]:
    """Journal entries after serial ``since``, oldest first, at most ``limit``."""
    return list(
        session.scalars(
            select(JournalEntry)
            .where(JournalEntry.id > since)
            .order_by(JournalEntry.id)
            .limit(limit)
        )
    )
