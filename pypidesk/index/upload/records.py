"""The upload transaction's statements, run on the database driver's own connection.

An upload touches a dozen rows. Through SQLAlchemy each statement costs
30-230 microseconds of Python (statement caching, the ORM's unit of work);
on the driver's connection the same statement costs one or two. At twine's
pace of several hundred small files a second that difference is most of the
server's time, so the upload path, and only it, speaks SQL directly. It
runs inside the SQLAlchemy transaction of :meth:`Database.write_connection`
(same connection, same ``BEGIN IMMEDIATE``, same commit or rollback), so the
rare steps that use the ORM (creating a project, a password sign-in) get a
session joined to it.

The SQL is plain enough for SQLite and PostgreSQL alike; the two differ only
in the placeholder style and in how timestamps and JSON are passed, which
:class:`UploadRecords` hides. Values are written in the forms SQLAlchemy
writes (``tests/index/upload/test_records.py`` reads them back through the
ORM), so the rest of the server cannot tell who wrote a row.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from pypidesk.index.db.models import utcnow
from pypidesk.index.records.journal import JOURNAL_LOCK_KEY

# SQLAlchemy's SQLite DATETIME storage format (it drops the zone; times are UTC).
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"

_STATEMENTS = {
    "enabled_flags": "SELECT id FROM admin_flags WHERE enabled",
    "token": (
        "SELECT t.id, t.name, t.key_salt, t.caveats, t.permissions,"
        " u.id, u.uuid, u.username, u.is_active"
        " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = :id"
    ),
    "token_used": "UPDATE api_tokens SET last_used = :now WHERE id = :id",
    "project_and_role": (
        "SELECT p.id, p.uuid, p.name, p.normalized_name, p.total_size, r.role_name"
        " FROM projects p LEFT JOIN roles r ON r.project_id = p.id AND r.user_id = :user_id"
        " WHERE p.normalized_name = :name"
    ),
    "release": (
        "SELECT id, version, created FROM releases"
        " WHERE project_id = :project_id AND canonical_version = :canonical"
    ),
    "same_file": (
        "SELECT filename, sha256_digest, blake2_256_digest FROM files"
        " WHERE filename = :filename OR blake2_256_digest = :blake2 LIMIT 1"
    ),
    "registered": "SELECT filename FROM file_registry WHERE filename = :filename",
    "sdist": (
        "SELECT id FROM files WHERE release_id = :release_id AND packagetype = 'sdist' LIMIT 1"
    ),
    "update_project": (
        "UPDATE projects SET name = :name, total_size = :total_size, last_serial = :last_serial"
        " WHERE id = :id"
    ),
    "insert_registry": "INSERT INTO file_registry (filename) VALUES (:filename)",
}

# Inserts name their columns once; the statement is built from the list.
_INSERTS = {
    "releases": (
        "project_id", "version", "canonical_version", "is_prerelease", "created", "uploader_id",
        "metadata_version", "summary", "description", "description_content_type",
        "description_html", "keywords", "author", "author_email", "maintainer",
        "maintainer_email", "license", "license_expression", "home_page", "download_url",
        "requires_python", "classifiers", "requires_dist", "provides_extra", "project_urls",
        "license_files", "platform", "dynamic", "yanked", "yanked_reason",
    ),
    "files": (
        "release_id", "filename", "path", "size", "md5_digest", "sha256_digest",
        "blake2_256_digest", "packagetype", "python_version", "requires_python",
        "comment_text", "upload_time", "uploader_id", "metadata_sha256_digest",
        "metadata_blake2_256_digest",
    ),
    "journals": ("name", "version", "action", "submitted_at", "submitted_by"),
    "events": (
        "project_normalized_name", "username", "tag", "time", "ip_address", "token_name",
        "additional",
    ),
}  # fmt: skip
# The JSON columns among them, passed through :meth:`UploadRecords.json`.
JSON_COLUMNS = frozenset(
    {"classifiers", "requires_dist", "provides_extra", "project_urls", "license_files"}
    | {"platform", "dynamic", "additional"}
)


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    values = ", ".join(f":{column}" for column in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({values}) RETURNING id"  # noqa: S608


_STATEMENTS.update(
    {f"insert_{table}": _insert_sql(table, cols) for table, cols in _INSERTS.items()}
)
_PLACEHOLDER = re.compile(r":(\w+)")
# psycopg's placeholders; SQLite's driver takes the ``:name`` form as written.
_POSTGRES_STATEMENTS = {
    name: _PLACEHOLDER.sub(r"%(\1)s", sql) for name, sql in _STATEMENTS.items()
}


@dataclass(frozen=True, slots=True)
class UserRecord:
    """The uploading user, as much of them as an upload needs."""

    id: int
    uuid: str
    username: str


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """An API token's row: what :func:`pypidesk.index.auth.identity.check_token` reads."""

    id: str
    name: str
    key_salt: bytes
    caveats: list[Any]
    permissions: list[str]


@dataclass(slots=True)
class ProjectRecord:
    """The project an upload goes to; what the caveat checks and the size limit read."""

    id: int
    uuid: str
    name: str
    normalized_name: str
    total_size: int


class UploadRecords:
    """The statements of one upload transaction, on its driver connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._session: Session | None = None
        self.postgres = connection.dialect.name == "postgresql"
        self._driver = connection.connection.driver_connection
        self._sql = _POSTGRES_STATEMENTS if self.postgres else _STATEMENTS
        # One upload, one moment: every timestamp it writes is the same.
        self.now = self.timestamp(utcnow())

    @property
    def session(self) -> Session:
        """An ORM session in the same transaction, for the rare steps that need one."""
        if self._session is None:
            self._session = Session(bind=self._connection, expire_on_commit=False)
        return self._session

    def close(self) -> None:
        """Write what the ORM session holds, before the transaction commits."""
        if self._session is not None:
            self._session.flush()
            self._session.close()

    def row(self, name: str, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        """The first row of statement ``name``, or None."""
        return self._driver.execute(self._sql[name], params or {}).fetchone()

    def rows(self, name: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self._driver.execute(self._sql[name], params or {}).fetchall()

    def run(self, name: str, params: dict[str, Any]) -> None:
        self._driver.execute(self._sql[name], params)

    def insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert one row (columns not given are NULL); returns its id."""
        params = dict.fromkeys(_INSERTS[table])
        for column, value in values.items():
            params[column] = self.json(value) if column in JSON_COLUMNS else value
        return self._driver.execute(self._sql[f"insert_{table}"], params).fetchone()[0]

    def timestamp(self, when: dt.datetime) -> object:
        return when if self.postgres else when.strftime(SQLITE_DATETIME)

    def json(self, value: object) -> object:
        if self.postgres:
            from psycopg.types.json import Json  # noqa: PLC0415 - only with PostgreSQL

            return Json(value)
        return json.dumps(value)

    def lock_journal(self) -> None:
        """What :func:`pypidesk.index.records.journal.lock_journal` does, on this connection."""
        if self.postgres:
            self._driver.execute("SELECT pg_advisory_xact_lock(%s)", (JOURNAL_LOCK_KEY,))


def from_timestamp(value: str | dt.datetime) -> dt.datetime:
    """A timestamp column's value as an aware UTC datetime (SQLite hands back text)."""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def from_json(value: object) -> Any:
    """A JSON column's value: SQLite hands back text, psycopg the parsed value."""
    return json.loads(value) if isinstance(value, str) else value
