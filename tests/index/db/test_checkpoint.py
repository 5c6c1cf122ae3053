"""The server's SQLite WAL checkpoints run in their own thread, not inside a commit."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from pypidesk.index.db.checkpoint import BackgroundCheckpointer
from pypidesk.index.db.engine import Database

MIB = 1024 * 1024
# Longer than any test: the thread never checkpoints on its own there.
NEVER = 600.0


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "records.db"


def _open(db_file: Path, delay: float) -> Database:
    database = Database.from_url(f"sqlite:///{db_file}", checkpoint_delay=delay)
    with database.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE blobs (value BLOB)")
    return database


@pytest.fixture
def idle_checkpointer(db_file: Path) -> Iterator[Database]:
    database = _open(db_file, NEVER)
    yield database
    database.dispose()


def _write(database: Database, size: int) -> None:
    with database.write_connection() as connection:
        connection.exec_driver_sql("INSERT INTO blobs VALUES (zeroblob(?))", (size,))


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_commit_past_sqlites_own_limit_does_not_copy_the_wal_itself(
    idle_checkpointer: Database, db_file: Path
) -> None:
    """8 MB is 2,000 pages: by default SQLite would checkpoint inside this commit."""
    before = db_file.stat().st_size
    _write(idle_checkpointer, 8 * MIB)
    assert db_file.stat().st_size == before
    idle_checkpointer.checkpointer.checkpoint()
    assert db_file.stat().st_size > 8 * MIB
    assert idle_checkpointer.checkpointer.checkpoints == 1


def test_without_the_thread_the_same_commit_copies_the_wal(db_file: Path) -> None:
    """The contrast that shows what the test above guards: SQLite's default."""
    database = Database.from_url(f"sqlite:///{db_file}")
    try:
        assert database.checkpointer is None
        with database.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE blobs (value BLOB)")
        _write(database, 8 * MIB)
        assert db_file.stat().st_size > 8 * MIB
    finally:
        database.dispose()


def test_writes_are_copied_into_the_database_file_soon_after(db_file: Path) -> None:
    database = _open(db_file, 0.05)
    try:
        _wait_for(lambda: database.checkpointer.checkpoints >= 1)  # the CREATE TABLE
        _write(database, MIB)
        _wait_for(lambda: database.checkpointer.checkpoints >= 2)
        assert db_file.stat().st_size > MIB
    finally:
        database.dispose()


def test_reads_alone_ask_for_no_checkpoint(db_file: Path) -> None:
    database = _open(db_file, 0.01)
    try:
        _wait_for(lambda: database.checkpointer.checkpoints == 1)  # the CREATE TABLE
        for _ in range(3):
            with database.read_connection() as connection:
                connection.exec_driver_sql("SELECT count(*) FROM blobs").scalar()
        time.sleep(0.3)
        assert database.checkpointer.checkpoints == 1
        _write(database, 1024)
        _wait_for(lambda: database.checkpointer.checkpoints == 2)
    finally:
        database.dispose()


def test_a_failed_checkpoint_is_logged_and_counts_for_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A directory that does not exist: the checkpoint's connection cannot open.
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'records.db'}")
    checkpointer = BackgroundCheckpointer(engine, NEVER)
    try:
        with caplog.at_level(logging.WARNING, logger="pypidesk.index.db.checkpoint"):
            checkpointer.checkpoint()
        assert "WAL checkpoint failed" in caplog.text
        assert checkpointer.checkpoints == 0
    finally:
        checkpointer.stop()
        engine.dispose()


def test_a_stopped_checkpointer_runs_no_more(db_file: Path) -> None:
    database = _open(db_file, 0.01)
    try:
        _wait_for(lambda: database.checkpointer.checkpoints == 1)  # the CREATE TABLE
        checkpointer, database.checkpointer = database.checkpointer, None
        checkpointer.stop()
        _write(database, 1024)
        time.sleep(0.2)
        assert checkpointer.checkpoints == 1
    finally:
        database.dispose()


def test_postgresql_has_no_wal_to_checkpoint(postgres_url: str) -> None:
    database = Database.from_url(postgres_url, checkpoint_delay=0.5)
    try:
        assert database.checkpointer is None
    finally:
        database.dispose()
