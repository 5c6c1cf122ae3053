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
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from pypidesk.index.db.models import utcnow
from pypidesk.index.records.changes import ChangedProject
from pypidesk.index.records.journal import JOURNAL_LOCK_KEY
from pypidesk.index.records.role_names import RoleName

# SQLAlchemy's SQLite DATETIME storage format (it drops the zone; times are UTC).
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"

# A timestamp as the driver takes it: a datetime for psycopg, text for SQLite.
DriverTime = dt.datetime | str


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


class TokenOwner(NamedTuple):
    """A token found by its id, with its owner (who may have been deactivated)."""

    token: TokenRecord
    user: UserRecord
    user_is_active: bool


@dataclass(slots=True)
class ProjectRecord:
    """The project an upload goes to; what the caveat checks and the size limit read."""

    id: int
    uuid: str
    name: str
    normalized_name: str
    total_size: int
    # Registered by this upload: the list of all projects changes too.
    created: bool = False


class ProjectAndRole(NamedTuple):
    """A project, and the uploader's role on it (None: they have none)."""

    project: ProjectRecord
    role: RoleName | None


class StoredRelease(NamedTuple):
    """An existing release of the project, as the upload checks it."""

    id: int
    version: str
    created: dt.datetime


class StoredFile(NamedTuple):
    """A stored file that clashes with the upload by name or by content."""

    filename: str
    sha256_digest: str
    blake2_256_digest: str


# The rows an upload inserts, one type per table. Each names its table's
# columns (the INSERT statement is built from the fields); the parent's id
# (``project_id``, ``release_id``) is passed beside it, once known.


class ReleaseValues(NamedTuple):
    """A new release's row, its metadata taken from its first upload."""

    version: str
    canonical_version: str
    is_prerelease: bool
    created: DriverTime
    uploader_id: int
    metadata_version: str
    summary: str | None
    description: str | None
    description_content_type: str | None
    description_html: str | None
    keywords: str | None
    author: str | None
    author_email: str | None
    maintainer: str | None
    maintainer_email: str | None
    license: str | None
    license_expression: str | None
    home_page: str | None
    download_url: str | None
    requires_python: str | None
    classifiers: list[str]
    requires_dist: list[str]
    provides_extra: list[str]
    project_urls: list[str]
    license_files: list[str]
    platform: list[str]
    dynamic: list[str]
    yanked: bool
    yanked_reason: str


class FileValues(NamedTuple):
    """A new file's row."""

    filename: str
    path: str
    size: int
    md5_digest: str
    sha256_digest: str
    blake2_256_digest: str
    packagetype: str
    python_version: str
    requires_python: str | None
    comment_text: str | None
    upload_time: DriverTime
    uploader_id: int
    metadata_sha256_digest: str | None
    metadata_blake2_256_digest: str | None


class JournalValues(NamedTuple):
    """A journal entry's row (its id is the new serial)."""

    name: str
    version: str
    action: str
    submitted_at: DriverTime
    submitted_by: str


class EventValues(NamedTuple):
    """A project history event's row."""

    project_normalized_name: str
    username: str
    tag: str
    time: DriverTime
    ip_address: str | None
    token_name: str | None
    additional: dict[str, str]


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
    "reservation": "SELECT session_id FROM staging_reservations WHERE filename = :filename",
    "name_reservation": (
        "SELECT id FROM staging_sessions WHERE normalized_name = :name AND reserves_name"
        " AND status IN ('open', 'processing', 'error')"
    ),
}

# Each insert's columns: the parent's id, then the row type's fields.
_INSERTS: dict[str, tuple[str, ...]] = {
    "releases": ("project_id", *ReleaseValues._fields),
    "files": ("release_id", *FileValues._fields),
    "journals": JournalValues._fields,
    "events": EventValues._fields,
}
# The JSON columns among them, passed through :meth:`UploadRecords.json`.
JSON_COLUMNS = frozenset(
    {"classifiers", "requires_dist", "provides_extra", "project_urls", "license_files"}
    | {"platform", "dynamic", "additional"}
)
_JSON_COLUMNS_OF = {
    table: tuple(column for column in columns if column in JSON_COLUMNS)
    for table, columns in _INSERTS.items()
}


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


class _Cursor(Protocol):
    """What sqlite3's and psycopg's cursors share, as used here. Rows are plain tuples."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class _Driver(Protocol):
    """What sqlite3's and psycopg's connections share, as used here."""

    def execute(self, sql: str, params: Any, /) -> _Cursor: ...


class UploadRecords:
    """The statements of one upload transaction, on its driver connection.

    One method per statement, taking and returning named types: the rows
    come back as plain tuples and are named here, once.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._session: Session | None = None
        self.postgres = connection.dialect.name == "postgresql"
        driver = connection.connection.driver_connection
        assert driver is not None  # an open connection always has its driver's
        self._driver: _Driver = driver
        self._sql = _POSTGRES_STATEMENTS if self.postgres else _STATEMENTS
        # One upload, one moment: every timestamp it writes is the same.
        self.now = self.timestamp(utcnow())
        # What readers will see change once this upload commits (caching proxies purge it).
        self.changes: list[ChangedProject] = []

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

    def _row(self, name: str, params: dict[str, object]) -> Any:
        """The first row of statement ``name`` (a tuple), or None."""
        return self._driver.execute(self._sql[name], params).fetchone()

    def _run(self, name: str, params: dict[str, object]) -> None:
        self._driver.execute(self._sql[name], params)

    def _insert(self, table: str, params: dict[str, object]) -> int:
        """Insert one row; returns its id."""
        for column in _JSON_COLUMNS_OF[table]:
            params[column] = self.json(params[column])
        new_id: int = self._driver.execute(self._sql[f"insert_{table}"], params).fetchone()[0]
        return new_id

    def enabled_flags(self) -> set[str]:
        """The ids of the admin flags that are on."""
        rows = self._driver.execute(self._sql["enabled_flags"], {}).fetchall()
        return {flag_id for (flag_id,) in rows}

    def token(self, token_id: str) -> TokenOwner | None:
        """The API token with this id, and its owner; None if there is none."""
        row = self._row("token", {"id": token_id})
        if row is None:
            return None
        token = TokenRecord(row[0], row[1], bytes(row[2]), from_json(row[3]), from_json(row[4]))
        return TokenOwner(token, UserRecord(row[5], row[6], row[7]), bool(row[8]))

    def token_used(self, token_id: str) -> None:
        """Stamp the token's ``last_used`` with this upload's time."""
        self._run("token_used", {"now": self.now, "id": token_id})

    def project_and_role(self, user_id: int, normalized_name: str) -> ProjectAndRole | None:
        """The project, with the user's role on it; None if there is no such project."""
        row = self._row("project_and_role", {"user_id": user_id, "name": normalized_name})
        if row is None:
            return None
        return ProjectAndRole(ProjectRecord(row[0], row[1], row[2], row[3], row[4]), row[5])

    def release(self, project_id: int, canonical_version: str) -> StoredRelease | None:
        """The project's release with this canonical version, if any."""
        row = self._row("release", {"project_id": project_id, "canonical": canonical_version})
        return None if row is None else StoredRelease(row[0], row[1], from_timestamp(row[2]))

    def same_file(self, filename: str, blake2_256_digest: str) -> StoredFile | None:
        """A file with this name or these bytes, if any."""
        row = self._row("same_file", {"filename": filename, "blake2": blake2_256_digest})
        return None if row is None else StoredFile(*row)

    def is_registered(self, filename: str) -> bool:
        """Whether the filename was ever used (PyPI never lets a name be reused)."""
        return self._row("registered", {"filename": filename}) is not None

    def reservation(self, filename: str) -> int | None:
        """The publishing session whose publish holds this filename, if any (PEP 694)."""
        row = self._row("reservation", {"filename": filename})
        return None if row is None else int(row[0])

    def name_reservation(self, normalized_name: str) -> int | None:
        """The live publishing session holding this new project name, if any (PEP 694)."""
        row = self._row("name_reservation", {"name": normalized_name})
        return None if row is None else int(row[0])

    def has_sdist(self, release_id: int) -> bool:
        return self._row("sdist", {"release_id": release_id}) is not None

    def insert_release(self, project_id: int, values: ReleaseValues) -> int:
        return self._insert("releases", {"project_id": project_id, **values._asdict()})

    def insert_file(self, release_id: int, values: FileValues) -> int:
        """Insert the file's row and its filename into the registry."""
        file_id = self._insert("files", {"release_id": release_id, **values._asdict()})
        self._run("insert_registry", {"filename": values.filename})
        return file_id

    def insert_journal(self, values: JournalValues) -> int:
        """Insert a journal entry; returns its id, the new serial."""
        return self._insert("journals", values._asdict())

    def insert_event(self, values: EventValues) -> int:
        return self._insert("events", values._asdict())

    def update_project(self, project: ProjectRecord, last_serial: int) -> None:
        """Write the project's name (as last uploaded), total size and serial."""
        self._run(
            "update_project",
            {
                "id": project.id,
                "name": project.name,
                "total_size": project.total_size,
                "last_serial": last_serial,
            },
        )

    def timestamp(self, when: dt.datetime) -> DriverTime:
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
