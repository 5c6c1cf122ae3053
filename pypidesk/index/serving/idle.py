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
from collections.abc import Callable

IDLE_AFTER_SECONDS = 2.0


class IdleReleaser:
    """Counts requests in flight; once none has run for ``idle_after`` seconds, releases.

    A timer on the event loop, re-armed whenever the last request in flight
    ends, calls ``release`` once per quiet spell. Until :meth:`start` gives it
    something to release (when the app has opened its records), it does nothing.
    """

    def __init__(self, idle_after: float | None = None) -> None:
        self.idle_after = IDLE_AFTER_SECONDS if idle_after is None else idle_after
        self.active = 0
        self._release: Callable[[], None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def start(self, release: Callable[[], None]) -> None:
        self._release = release

    def stop(self) -> None:
        self._release = None
        self._cancel_timer()

    def begin(self) -> None:
        self.active += 1
        self._cancel_timer()

    def end(self) -> None:
        self.active -= 1
        if self.active == 0 and self._release is not None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.idle_after, self._fire)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        assert self._release is not None  # stop() cancels the timer as it drops the release
        self._release()


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
