"""The statements of a file upload session's requests, in plain SQL on the driver.

Creating a file upload session, receiving its bytes and completing it are
the requests a client makes three times per file; through the ORM each cost
several times the legacy upload (issue 16's profile: most of the time was
SQLAlchemy's, not the database's). Like :class:`UploadRecords`, whose
statements (tokens, projects and roles, the legacy checks) these requests
also use, every request is one transaction with a handful of plain
statements. The rarer requests (status, extend, cancel, publish) keep the ORM.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from sqlalchemy import Connection

from pypidesk.index.db.models import utcnow
from pypidesk.index.upload.records import UploadRecords, from_json, from_timestamp

_STATEMENTS = {
    "session": (
        "SELECT id, token, name, normalized_name, canonical_version, status, creator_id,"
        " expires_at FROM staging_sessions WHERE token = :token"
    ),
    "file": (
        "SELECT id, filename, size, hashes, status, received FROM staging_files"
        " WHERE session_id = :session_id AND token = :token"
    ),
    "published": "SELECT id FROM files WHERE filename = :filename",
    "live_named": (
        "SELECT id, token, status FROM staging_files"
        " WHERE session_id = :session_id AND filename = :filename AND status != 'canceled'"
    ),
    "completed_sdist": (
        "SELECT id FROM staging_files WHERE session_id = :session_id"
        " AND status = 'completed' AND filename LIKE :pattern LIMIT 1"
    ),
    "cancel_file": "UPDATE staging_files SET status = 'canceled' WHERE id = :id",
    "insert_file": (
        "INSERT INTO staging_files (session_id, token, filename, size, hashes, status,"
        " received, notices, created) VALUES (:session_id, :token, :filename, :size, :hashes,"
        " 'pending', :received, :notices, :created)"
    ),
    "received": "UPDATE staging_files SET received = :received WHERE id = :id",
    "finish": (
        "UPDATE staging_files SET status = :status, notices = :notices,"
        " requires_python = :requires_python, sha256_digest = :sha256,"
        " metadata_sha256_digest = :metadata_sha256, core_metadata = :core WHERE id = :id"
    ),
}
# psycopg's placeholders (as in pypidesk.index.upload.records); SQLite takes ``:name``.
_POSTGRES_STATEMENTS = {
    name: re.sub(r":(\w+)", r"%(\1)s", sql) for name, sql in _STATEMENTS.items()
}


class SessionRow(NamedTuple):
    """A publishing session, as much of it as a file request reads."""

    id: int
    token: str
    name: str
    normalized_name: str
    canonical_version: str
    status: str
    creator_id: int | None
    expires_at: dt.datetime


class FileRow(NamedTuple):
    """A file upload session's row."""

    id: int
    filename: str
    size: int
    hashes: dict[str, str]
    status: str
    received: bool


class FileOutcome(NamedTuple):
    """What completing a file records: its status, and the facts the checks found."""

    status: str
    notices: list[str]
    requires_python: str | None = None
    sha256: str | None = None
    metadata_sha256: str | None = None
    # The file's core metadata, which the publish checks instead of reading the archive again.
    core: bytes | None = None


class StagingRecords(UploadRecords):
    """The upload statements, plus those of file upload sessions, on one transaction."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._staging_sql = _POSTGRES_STATEMENTS if self.postgres else _STATEMENTS

    def _fetch(self, name: str, params: dict[str, object]) -> Any:
        return self._driver.execute(self._staging_sql[name], params)

    def session_row(self, token: str, *, lock: bool) -> SessionRow | None:
        """The session with this token; ``lock`` holds its row (PostgreSQL) until commit.

        SQLite's write transactions hold the whole database already.
        """
        sql = self._staging_sql["session"] + (" FOR UPDATE" if lock and self.postgres else "")
        row = self._driver.execute(sql, {"token": token}).fetchone()
        if row is None:
            return None
        return SessionRow(
            row[0], row[1], row[2], row[3], row[4], row[5], row[6], from_timestamp(row[7])
        )

    def file_row(self, session_id: int, token: str) -> FileRow | None:
        row = self._fetch("file", {"session_id": session_id, "token": token}).fetchone()
        if row is None:
            return None
        return FileRow(row[0], row[1], row[2], from_json(row[3]), row[4], bool(row[5]))

    def is_published(self, filename: str) -> bool:
        """Whether a file of this name is in the index, or ever was."""
        return self.is_registered(filename) or (
            self._fetch("published", {"filename": filename}).fetchone() is not None
        )

    def live_named(self, session_id: int, filename: str) -> list[tuple[int, str, str]]:
        """(id, token, status) of the session's uploads of ``filename`` not canceled."""
        rows = self._fetch("live_named", {"session_id": session_id, "filename": filename})
        return [(row[0], row[1], row[2]) for row in rows.fetchall()]

    def has_completed_sdist(self, session_id: int) -> bool:
        params = {"session_id": session_id, "pattern": "%.tar.gz"}
        return self._fetch("completed_sdist", params).fetchone() is not None

    def cancel_file(self, file_id: int) -> None:
        self._fetch("cancel_file", {"id": file_id})

    def insert_file_session(
        self, session_id: int, token: str, filename: str, size: int, hashes: dict[str, str]
    ) -> None:
        self._fetch(
            "insert_file",
            {
                "session_id": session_id,
                "token": token,
                "filename": filename,
                "size": size,
                "hashes": self.json(hashes),
                "received": False,
                "notices": self.json([]),
                "created": self.timestamp(utcnow()),
            },
        )

    def mark_received(self, file_id: int) -> None:
        self._fetch("received", {"id": file_id, "received": True})

    def finish_file(self, file_id: int, outcome: FileOutcome) -> None:
        self._fetch(
            "finish",
            {
                "id": file_id,
                "status": outcome.status,
                "notices": self.json(outcome.notices),
                "requires_python": outcome.requires_python,
                "sha256": outcome.sha256,
                "metadata_sha256": outcome.metadata_sha256,
                "core": outcome.core,
            },
        )

    def savepoint(self) -> None:
        """Start checks whose writes (a first release's project) are undone after."""
        self._driver.execute("SAVEPOINT staged_checks", {})

    def undo_to_savepoint(self) -> None:
        """Undo what happened since :meth:`savepoint`, in the database and the ORM session."""
        self._driver.execute("ROLLBACK TO SAVEPOINT staged_checks", {})
        self._driver.execute("RELEASE SAVEPOINT staged_checks", {})
        if self._session is not None:
            # Its rows were undone; nothing of it may be flushed again.
            self._session.expunge_all()
