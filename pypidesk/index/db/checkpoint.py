"""SQLite WAL checkpoints in a thread of their own, off the path of the write that needs one.

By default SQLite copies the WAL back into the database file inside the
commit that takes the WAL past 1,000 pages. That copy and its two fsyncs
take 10-15 ms here: one upload in fifty waited that long, about a quarter
of a millisecond per upload on average. The server instead checkpoints
shortly after writes from this thread (PASSIVE: it never blocks a reader or
a writer), and keeps SQLite's own checkpoint only as a far limit, in case
this thread falls behind.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Connection, Engine, event

logger = logging.getLogger(__name__)

# SQLite's own checkpoint still runs in the committing write past this many
# WAL pages (40 MB): only if the background thread cannot keep up.
FAR_LIMIT_PAGES = 10_000
# Writes within this many seconds of each other share one checkpoint.
CHECKPOINT_DELAY = 0.5


class BackgroundCheckpointer:
    """Checkpoints ``engine``'s SQLite WAL a short ``delay`` after each burst of writes."""

    def __init__(self, engine: Engine, delay: float = CHECKPOINT_DELAY) -> None:
        self._engine = engine
        self._delay = delay
        self._wanted = threading.Event()
        self._stopping = threading.Event()
        # How many checkpoints ran: what tests and the curious can watch.
        self.checkpoints = 0
        event.listen(engine, "connect", _raise_autocheckpoint)
        event.listen(engine, "commit", self._after_commit)
        self._thread = threading.Thread(target=self._run, name="pypidesk-checkpoint", daemon=True)
        self._thread.start()

    def _after_commit(self, connection: Connection) -> None:
        # Read transactions end with a commit too; they leave nothing to copy.
        if not connection.get_execution_options().get("pypidesk_readonly", False):
            self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            if self._stopping.wait(self._delay):
                return
            self._wanted.clear()
            self.checkpoint()

    def checkpoint(self) -> None:
        """Copy what the WAL holds into the database file, as far as readers allow."""
        try:
            connection = self._engine.raw_connection()
            try:
                driver = connection.driver_connection
                assert driver is not None  # a connection just checked out has its driver's
                driver.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()
        except Exception:
            # Nothing is lost: the WAL keeps every commit, and SQLite's own
            # checkpoint takes over at FAR_LIMIT_PAGES.
            logger.warning("WAL checkpoint failed; will retry after the next write", exc_info=True)
        else:
            self.checkpoints += 1

    def stop(self) -> None:
        """End the thread; SQLite checkpoints once more when the last connection closes."""
        self._stopping.set()
        self._wanted.set()
        self._thread.join()
        event.remove(self._engine, "commit", self._after_commit)
        event.remove(self._engine, "connect", _raise_autocheckpoint)


def _raise_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={FAR_LIMIT_PAGES}")
