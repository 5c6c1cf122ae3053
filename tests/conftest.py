"""Fixtures shared by every test: isolated user dirs, server settings, a live server.

Databases come in two kinds. Most tests get records that are already migrated,
by a migration run once per test session (per xdist worker): on SQLite a copy
of that migrated file, on PostgreSQL that migrated database emptied of rows
(see ``postgres_records`` for why not a template copy). The tests of the
migration path itself (tests/index/db/, ``serve`` and ``admin`` on a new data
dir) ask for a fresh, empty database (``database_url``, ``postgres_url``) and
migrate it as ``serve`` would.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

# Before anything imports Qt: no display in tests.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_API"] = "pyside6"

from pypidesk.client.local_index import find_free_port
from pypidesk.index.settings import ServerSettings
from pypidesk.index.upload.renderer import WorkerRenderer
from tests import cheap_argon2

# Every `serve` and `admin` child (ours and the desktop app's) hashes cheaply too.
os.environ.update(cheap_argon2.CHILD_ENVIRONMENT)


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point platformdirs (XDG) at a temp dir so no test touches the real home."""
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(base / var.lower()))
    return base


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2 at a test-only cost in this process; see :mod:`tests.cheap_argon2`."""
    with cheap_argon2.installed():
        yield


SQLITE_FILE = "pypidesk.sqlite3"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite records file migrated once per session (per xdist worker)."""
    from pypidesk.index.db.engine import Database
    from pypidesk.index.db.migrate import upgrade

    directory = tmp_path_factory.mktemp("sqlite-template")
    database = Database.from_url(f"sqlite:///{directory / SQLITE_FILE}")
    try:
        upgrade(database.engine, directory)
    finally:
        # Closing the last connection copies the WAL back and deletes it: the
        # one file is then the whole database, safe to copy.
        database.dispose()
    assert not (directory / f"{SQLITE_FILE}-wal").exists()
    return directory / SQLITE_FILE


def copy_sqlite_template(template: Path, data_dir: Path) -> None:
    """Give ``data_dir`` migrated records, as ``serve`` would leave them on first start."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, data_dir / SQLITE_FILE)


@pytest.fixture
def server_settings(data_dir: Path, sqlite_template: Path) -> ServerSettings:
    """Settings of a data dir whose SQLite records are already migrated."""
    copy_sqlite_template(sqlite_template, data_dir)
    return ServerSettings(data_dir=data_dir)


class LiveServer:
    """A real ``pypidesk serve`` child process on a loopback port."""

    def __init__(self, data_dir: Path, extra_args: list[str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = find_free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir.parent / f"serve-{self.port}.log"
        self._log = self.log_path.open("wb")
        command = [
            sys.executable,
            "-m",
            "pypidesk",
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
            *(extra_args or []),
        ]
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()}")
            try:
                if httpx.get(self.url + "/_health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server never became healthy:\n{self.log_path.read_text()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover - only if the server hangs
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


@pytest.fixture
def live_server(data_dir: Path) -> Iterator[LiveServer]:
    server = LiveServer(data_dir)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


POSTGRES_URL_VARIABLE = "PYPIDESK_TEST_POSTGRES_URL"


def _postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url is None and os.environ.get("CI"):
        pytest.fail(f"CI must provide PostgreSQL: set {POSTGRES_URL_VARIABLE}")
    return url


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Any]:
    """An AUTOCOMMIT engine on the server's maintenance database, shared by the session."""
    from sqlalchemy import create_engine

    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"no PostgreSQL: set {POSTGRES_URL_VARIABLE} (CI always does)")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


def _postgres_database_url(admin: Any, name: str) -> str:
    return admin.url.set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def _postgres_database(admin: Any, name: str) -> Iterator[str]:
    """A new, empty database, dropped on exit; its URL."""
    _retry_while_busy(admin, f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_database_url(admin, name)
    finally:
        _drop_database(admin, name)


def _unique_database_name(kind: str) -> str:
    # Unique per test and per xdist worker: workers share the one server.
    return f"pypidesk_{kind}_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def postgres_url(postgres_admin: Any) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with _postgres_database(postgres_admin, _unique_database_name("test")) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_records(
    postgres_admin: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A PostgreSQL database migrated once per session (per xdist worker); its URL.

    Tests share it one after the other (``migrated_postgres_url`` empties it
    first) rather than each copying it with ``CREATE DATABASE … TEMPLATE``:
    that copy writes the whole new database, catalogs included, to the WAL
    and syncs it, 1.5-2 s per test on a CI disk; emptying a dozen small tables
    takes a twentieth of that.
    """
    from pypidesk.index.db.engine import Database
    from pypidesk.index.db.migrate import upgrade

    name = _unique_database_name("records")
    with _postgres_database(postgres_admin, name) as url:
        database = Database.from_url(url)
        try:
            upgrade(database.engine, tmp_path_factory.mktemp("postgres-records"))
        finally:
            database.dispose()
        yield url


@pytest.fixture
def migrated_postgres_url(postgres_admin: Any, postgres_records: str) -> str:
    """A PostgreSQL database at the newest schema with no rows, as migrated fresh."""
    _empty_postgres_records(postgres_admin, postgres_records)
    return postgres_records


def _empty_postgres_records(admin: Any, url: str) -> None:
    """Delete every row but the schema version, and restart every id sequence.

    Sessions a failed test left open are ended first, so no lock of theirs
    holds up the next test.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from pypidesk.index.db.models import Base

    engine = create_engine(url, poolclass=NullPool)
    database = engine.url.database
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
                # Not autovacuum workers (superuser processes) that its deletes start.
                " AND backend_type = 'client backend'"
            ),
            {"name": database},
        )
    try:
        with engine.begin() as conn:
            # Children before parents: the foreign keys are checked row by row.
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
            sequences = conn.scalars(
                text("SELECT sequence_name FROM information_schema.sequences")
            ).all()
            for sequence in sequences:
                conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    finally:
        engine.dispose()


def _drop_database(admin: Any, name: str) -> None:
    """Drop a test database, retrying while an autovacuum worker briefly holds it.

    FORCE ends the test's own leftover sessions, but a non-superuser may not
    end the autovacuum worker that sometimes visits a fresh database.
    """
    _retry_while_busy(admin, f'DROP DATABASE "{name}" WITH (FORCE)')


def _retry_while_busy(admin: Any, statement: str) -> None:
    """Run ``statement``, retrying while an autovacuum worker briefly holds a database.

    CREATE DATABASE copies template1, which must have no other session then.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for attempt in range(50):
        try:
            with admin.connect() as conn:
                conn.execute(text(statement))
        except DBAPIError:
            if attempt == 49:
                raise
            time.sleep(0.1)
        else:
            return


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    """A fresh, empty database on each backend pypidesk claims to support.

    For the tests of the migration path; records tests use ``migrated_database_url``.
    """
    if request.param == "sqlite":
        return f"sqlite:///{data_dir / SQLITE_FILE}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_database_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    """Each records test runs on both backends, on a database at the newest schema."""
    if request.param == "sqlite":
        copy_sqlite_template(request.getfixturevalue("sqlite_template"), data_dir)
        return f"sqlite:///{data_dir / SQLITE_FILE}"
    return str(request.getfixturevalue("migrated_postgres_url"))


@pytest.fixture(scope="session")
def description_renderer() -> Iterator[WorkerRenderer]:
    """The server's real renderer; its children start on first use, once per session."""
    defaults = ServerSettings(data_dir=Path())
    renderer = WorkerRenderer(
        workers=defaults.description_render_workers,
        timeout=defaults.description_render_timeout,
    )
    yield renderer
    renderer.close()
