"""Giving memory back while the server is idle.

A desktop's local index spends nearly all day waiting. While it works, each
pooled database connection grows a page cache (SQLite keeps up to 2 MiB per
connection) and the allocator keeps freed blocks for reuse; both are worth
keeping under load and worth nothing at rest. Once no request has run for
``idle_after`` seconds, the pooled connections are closed and the C
allocator is asked to return free memory to the system. The next request
opens a connection again, a fraction of a millisecond.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import time
from collections.abc import Callable

IDLE_AFTER_SECONDS = 2.0


class IdleTracker:
    """Counts requests in flight and notes when the last one ended."""

    def __init__(self, idle_after: float | None = None) -> None:
        self.idle_after = IDLE_AFTER_SECONDS if idle_after is None else idle_after
        self.active = 0
        self.last_activity = time.monotonic()
        # Nothing to give back before the first request.
        self.released = True

    def begin(self) -> None:
        self.active += 1
        self.released = False

    def end(self) -> None:
        self.active -= 1
        self.last_activity = time.monotonic()

    def release_due(self, now: float) -> bool:
        """Whether the server has rested long enough since its last work to release."""
        return (
            not self.released and self.active == 0 and now - self.last_activity >= self.idle_after
        )


async def release_when_idle(tracker: IdleTracker, release: Callable[[], None]) -> None:
    """Run ``release`` once per idle spell; runs until cancelled with the app."""
    while True:
        await asyncio.sleep(tracker.idle_after / 2)
        if tracker.release_due(time.monotonic()):
            tracker.released = True
            release()


def _load_malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    name = ctypes.util.find_library("c")
    if name is None:  # pragma: no cover - every Linux this runs on has a C library
        return None
    with contextlib.suppress(OSError, AttributeError):
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
        return trim
    return None  # pragma: no cover - musl and macOS have no malloc_trim


_malloc_trim = _load_malloc_trim()


def trim_allocator() -> None:
    """Hand free heap pages back to the operating system, where the C library can."""
    if _malloc_trim is not None:
        _malloc_trim(0)
