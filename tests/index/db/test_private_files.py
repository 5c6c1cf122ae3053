"""The data dir and the SQLite records are created private and tightened when found open."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from pypidesk.index.db.engine import Database, make_engine
from pypidesk.index.db.private_files import (
    make_sqlite_private,
    prepare_data_dir,
    sqlite_path,
    warn_if_open,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_data_dir_is_private(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data_dir = tmp_path / "new" / "data"
    prepare_data_dir(data_dir)
    assert mode(data_dir) == 0o700
    prepare_data_dir(data_dir)
    warn_if_open(data_dir)  # as it is now: nothing to say
    assert caplog.records == []


def test_an_open_data_dir_is_reported_and_left_as_it_is(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tmp_path.chmod(0o755)
    prepare_data_dir(tmp_path)
    assert caplog.records == []
    warn_if_open(tmp_path)
    assert mode(tmp_path) == 0o755
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING
    assert f"The data dir {tmp_path} has mode 0755" in warning.getMessage()


def test_the_sqlite_file_of_a_url() -> None:
    expected = Path("/srv/data/pypidesk.sqlite3")
    assert sqlite_path(f"sqlite:///{expected}") == expected
    for url in (
        "postgresql+psycopg://u@h/db",
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file:records?mode=memory&uri=true",
    ):
        assert sqlite_path(url) is None
    make_engine("sqlite://").dispose()  # in memory: no file to make private


def test_new_records_and_their_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "pypidesk.sqlite3"
    database = Database.from_url(f"sqlite:///{path}")
    try:
        with database.write_connection() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        assert {mode(Path(f"{path}{s}")) for s in ("", "-wal", "-shm")} == {0o600}
    finally:
        database.dispose()


def test_open_records_are_tightened_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "pypidesk.sqlite3"
    for suffix, file_mode in (("", 0o644), ("-wal", 0o664), ("-shm", 0o600)):
        Path(f"{path}{suffix}").touch()
        Path(f"{path}{suffix}").chmod(file_mode)
    make_sqlite_private(path)
    assert [mode(Path(f"{path}{s}")) for s in ("", "-wal", "-shm")] == [0o600] * 3
    assert [r.getMessage() for r in caplog.records] == [
        f"{path} had mode 0644, readable by other local users; it is now 0600.",
        f"{path}-wal had mode 0664, readable by other local users; it is now 0600.",
    ]


def test_records_that_cannot_be_changed_are_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pypidesk.sqlite3"
    path.touch()
    path.chmod(0o644)

    def refuse(self: Path, mode: int) -> None:
        # Another user's file; as root (tests in containers) chmod never fails.
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "chmod", refuse)
    make_sqlite_private(path)
    assert mode(path) == 0o644
    assert caplog.records[0].getMessage() == (
        f"{path} has mode 0644, readable by other local users, and cannot be changed "
        "(Operation not permitted)."
    )


def test_nothing_is_created_in_a_missing_directory(tmp_path: Path) -> None:
    make_sqlite_private(tmp_path / "missing" / "pypidesk.sqlite3")
    assert not (tmp_path / "missing").exists()
