"""Engines and sessions, with the SQLite settings a multi-process server needs.

SQLite runs in WAL mode so that readers never wait for the writer. Write
transactions start with ``BEGIN IMMEDIATE``: a deferred transaction that first
reads and then writes can fail with "database is locked" when another process
wrote in between, and SQLite's busy timeout does not retry that case.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from pypidesk.index.db.checkpoint import BackgroundCheckpointer
from pypidesk.index.db.private_files import make_sqlite_private, sqlite_path
from pypidesk.index.records.changes import ChangedProject, take

# Called with what a write transaction changed, once it has committed.
CommitHook = Callable[[Sequence[ChangedProject]], None]

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and explicit transactions.

    A SQLite file is made private (0600, with its WAL and SHM) before the
    first connection: it holds password hashes and e-mail addresses.
    """
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = sqlite_path(url)
    if path is not None:
        make_sqlite_private(path)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get("pypidesk_readonly", False)
        # Straight to the driver: SQLAlchemy's statement path costs more
        # than the BEGIN itself, once per transaction.
        conn.connection.driver_connection.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


class Database:
    """The records of one server process: a writer and a reader session factory."""

    def __init__(self, engine: Engine, *, checkpoint_delay: float | None = None) -> None:
        """``checkpoint_delay``: move SQLite's WAL checkpoints to a thread (the server does).

        Pass it before the engine has made a connection: only connections
        made afterwards leave the checkpoints to that thread.
        """
        self.engine = engine
        self._writer = sessionmaker(engine, expire_on_commit=False)
        self._read_engine = engine.execution_options(pypidesk_readonly=True)
        self._reader = sessionmaker(self._read_engine, expire_on_commit=False)
        self.checkpointer = (
            BackgroundCheckpointer(engine, checkpoint_delay)
            if checkpoint_delay is not None and engine.dialect.name == "sqlite"
            else None
        )
        # The server sets this to purge caching proxies (pypidesk.index.serving.purge).
        self.on_commit: CommitHook | None = None
        event.listen(self._writer, "after_commit", self._after_commit)
        event.listen(self._writer, "after_rollback", take)

    def _after_commit(self, session: Session) -> None:
        self.committed(take(session))

    def committed(self, changes: Sequence[ChangedProject]) -> None:
        """Hand what a committed transaction changed to :attr:`on_commit`, if any."""
        if changes and self.on_commit is not None:
            self.on_commit(changes)

    @classmethod
    def from_url(cls, url: str, *, checkpoint_delay: float | None = None) -> Database:
        return cls(make_engine(url), checkpoint_delay=checkpoint_delay)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any exception."""
        with self._writer.begin() as session:
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries only; it never takes SQLite's write lock."""
        with self._reader() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core connection in a write transaction: the upload path's, without a Session."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextlib.contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A Core connection in a read transaction; never takes SQLite's write lock."""
        with self._read_engine.connect() as connection, connection.begin():
            yield connection

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()
