"""Rendered pages kept per process, valid as long as their serial is.

Every change a client could see writes a journal entry, which moves the
project's ``last_serial`` and the global serial. A page rendered at serial
``n`` is therefore still right while the serial is ``n``: the reader checks the
serial with one indexed query and, when it has not moved, sends the stored
bytes without touching the records again. Each worker has its own cache; as
the serial lives in the shared database, a write in any worker makes the next
read in every worker fresh.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Hashable

from pypidesk.index.read.http import Page

# Pages differ by host (absolute URLs), variant and version, so a client could
# ask for very many; the cache is bounded by the bytes it holds.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class PageCache:
    """A least-recently-used map from a page key to ``(serial, page)``, bounded in bytes."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._entries: collections.OrderedDict[Hashable, tuple[int, Page]] = (
            collections.OrderedDict()
        )
        self._max_bytes = max_bytes
        self._bytes = 0
        # Renders run in worker threads; the event loop reads concurrently.
        self._lock = threading.Lock()

    def get(self, key: Hashable, serial: int) -> Page | None:
        """The page stored under ``key`` if it was rendered at ``serial``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != serial:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, serial: int, page: Page) -> None:
        """Store ``page`` as rendered at ``serial``, evicting the least recently used."""
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1].body)
            self._entries[key] = (serial, page)
            self._bytes += len(page.body)
            while self._bytes > self._max_bytes and len(self._entries) > 1:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes of page bodies held."""
        return self._bytes
