"""The queries of the read side, in one place.

Two kinds: the cheap serial checks run on every read (one indexed lookup
each), and the full loads run only when a page must be rendered again.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Select, bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from pypidesk.index.db.models import JournalEntry, Project, Release, Role

# A bare max() (no coalesce around it) lets SQLite read the newest rowid
# instead of scanning the journal.
_GLOBAL_SERIAL = select(func.max(JournalEntry.id))
_PROJECT_SERIAL = select(Project.name, Project.last_serial).where(
    Project.normalized_name == bindparam("name")
)


@dataclasses.dataclass(frozen=True, slots=True)
class ProjectSerial:
    """What the serial check learns: the display name and the project's serial."""

    name: str
    last_serial: int


def global_serial(connection: Connection) -> int:
    """``max(journals.id)``, 0 on an empty index: the serial of the index page."""
    return connection.scalar(_GLOBAL_SERIAL) or 0


class SerialReader:
    """The serial checks of cached reads, each one driver call.

    A cached read does nothing else, so SQLAlchemy's per-statement work (building
    the expression, result metadata, pool checkout) would be most of its cost.
    The statements are compiled once for the engine's dialect and run on one
    DB-API connection kept for the event loop's thread, which alone calls this.
    Each check ends its transaction (a no-op for SQLite's autocommit SELECT), so
    the next check sees every commit since. A broken connection is replaced once.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._global = self._compile(_GLOBAL_SERIAL)
        self._project = self._compile(_PROJECT_SERIAL)
        self._connection: Any = None

    def _compile(self, statement: Select[*tuple[Any, ...]]) -> tuple[str, Sequence[str] | None]:
        compiled = statement.compile(dialect=self._engine.dialect)
        return str(compiled), compiled.positiontup

    def _fetch(
        self, query: tuple[str, Sequence[str] | None], params: Mapping[str, str]
    ) -> tuple[Any, ...] | None:
        sql, order = query
        arguments = params if order is None else [params[name] for name in order]
        try:
            return self._execute(sql, arguments)
        except self._engine.dialect.loaded_dbapi.Error:
            # The database restarted or dropped us: one retry on a new connection.
            self.close()
            return self._execute(sql, arguments)

    def _execute(self, sql: str, arguments: object) -> tuple[Any, ...] | None:
        if self._connection is None:
            self._connection = self._engine.raw_connection()
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, arguments)
            row: tuple[Any, ...] | None = cursor.fetchone()
        finally:
            cursor.close()
            self._connection.rollback()
        return row

    def close(self) -> None:
        """Give the connection back (to be invalidated if it broke)."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(Exception):
                connection.invalidate()

    def global_serial(self) -> int:
        """``max(journals.id)``, 0 on an empty index."""
        row = self._fetch(self._global, {})
        return (row[0] if row else None) or 0

    def project_serial(self, normalized_name: str) -> ProjectSerial | None:
        """The project's display name and ``last_serial``, or None if there is none."""
        row = self._fetch(self._project, {"name": normalized_name})
        return None if row is None else ProjectSerial(row[0], row[1])


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
