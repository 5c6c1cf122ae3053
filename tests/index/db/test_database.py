"""Records on SQLite and PostgreSQL: migrations, transactions, and journal serials."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from pypidesk.index.db.engine import Database
from pypidesk.index.db.migrate import MIGRATIONS, alembic_config, head_revision, upgrade
from pypidesk.index.db.models import Base, JournalEntry, Project
from pypidesk.index.records.journal import current_serial, record


@pytest.fixture
def database(database_url: str, data_dir: Path) -> Database:
    """Migrated here, from empty, on each backend: the real migration path.

    Everywhere else tests/index/conftest.py hands out copies of a database
    migrated once per session.
    """
    database = Database.from_url(database_url)
    upgrade(database.engine, data_dir)
    yield database
    database.dispose()


def test_migrations_create_every_table(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_a_no_op(database: Database, data_dir: Path) -> None:
    upgrade(database.engine, data_dir)
    with database.read() as session:
        assert session.scalar(text("SELECT version_num FROM alembic_version")) == head_revision(
            MIGRATIONS / "versions"
        )


def test_a_database_from_the_first_release_is_upgraded_in_place(
    database_url: str, data_dir: Path
) -> None:
    """0001 -> head keeps the rows; later revisions add a table and indexes."""
    from alembic import command

    database = Database.from_url(database_url)
    try:
        command.upgrade(alembic_config(database.engine), "0001")
        with database.write() as session:
            session.execute(
                text(
                    "INSERT INTO journals (name, action, submitted_at) "
                    "VALUES ('spam', 'create', '2026-01-01 00:00:00')"
                )
            )
        assert "prohibited_project_names" not in inspect(database.engine).get_table_names()
        upgrade(database.engine, data_dir)
        assert "prohibited_project_names" in inspect(database.engine).get_table_names()
        indexes = inspect(database.engine).get_indexes("files")
        assert {"ix_files_release_id": ["release_id"]}.items() <= {
            index["name"]: index["column_names"] for index in indexes
        }.items()
        with database.read() as session:
            assert session.scalar(select(JournalEntry.name)) == "spam"
    finally:
        database.dispose()


def test_sqlite_runs_in_wal_mode(data_dir: Path) -> None:
    database = Database.from_url(f"sqlite:///{data_dir / 'x.sqlite3'}")
    with database.read() as session:
        assert session.scalar(text("PRAGMA journal_mode")) == "wal"
        assert session.scalar(text("PRAGMA foreign_keys")) == 1
    database.dispose()


def test_a_failed_write_changes_nothing(database: Database) -> None:
    def fail_midway() -> None:
        with database.write() as session:
            session.add(Project(name="Lost", normalized_name="lost"))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_midway()
    with database.read() as session:
        assert session.scalars(select(Project)).all() == []


def test_record_bumps_the_global_and_project_serials(database: Database) -> None:
    with database.write() as session:
        assert current_serial(session) == 0
        alpha = Project(name="Alpha", normalized_name="alpha")
        beta = Project(name="Beta", normalized_name="beta")
        session.add_all([alpha, beta])
        first = record(session, alpha, "create", submitted_by="alice")
        second = record(session, beta, "create", submitted_by="bob")
        third = record(session, alpha, "new release", version="1.0", submitted_by="alice")
    assert first.id < second.id < third.id
    with database.read() as session:
        assert current_serial(session) == third.id
        projects = {p.name: p.last_serial for p in session.scalars(select(Project))}
        assert projects == {"Alpha": third.id, "Beta": second.id}
        entry = session.get(JournalEntry, third.id)
        assert (entry.name, entry.version, entry.action) == ("Alpha", "1.0", "new release")
        assert entry.submitted_at is not None


def test_concurrent_writers_get_distinct_increasing_serials(database: Database) -> None:
    with database.write() as session:
        project = Project(name="Shared", normalized_name="shared")
        session.add(project)
        session.flush()
        project_id = project.id
    serials: list[int] = []
    lock = threading.Lock()

    def writer() -> None:
        for _ in range(5):
            with database.write() as session:
                project = session.get(Project, project_id)
                entry = record(session, project, "touch")
                with lock:
                    serials.append(entry.id)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(serials) == list(range(min(serials), min(serials) + 20))
    with database.read() as session:
        assert session.get(Project, project_id).last_serial == max(serials)


def test_migrations_match_the_models(database: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


@pytest.mark.parametrize(
    ("table", "column"),
    [("files", "release_id"), ("roles", "project_id"), ("role_invitations", "project_id")],
)
def test_lookups_by_parent_do_not_scan_the_table(data_dir: Path, table: str, column: str) -> None:
    """A release's files are read for every page that lists them, by release."""
    database = Database.from_url(f"sqlite:///{data_dir / 'plans.sqlite3'}")
    try:
        upgrade(database.engine, data_dir)
        with database.read() as session:
            plan = session.execute(
                text(f"EXPLAIN QUERY PLAN SELECT * FROM {table} WHERE {column} = 1")  # noqa: S608
            ).all()
        assert [row[3] for row in plan] == [
            f"SEARCH {table} USING INDEX ix_{table}_{column} ({column}=?)"
        ]
    finally:
        database.dispose()
