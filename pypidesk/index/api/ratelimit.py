"""Failed sign-ins, counted per user and per client address (PyPI: 10 per 5 minutes).

In-process and in memory: each ``serve`` worker counts on its own and a
restart forgets, so with N workers an attacker gets at most N times the
budget. That is enough to make password guessing slow on a local or team
index; a deployment that needs more puts a shared limiter in its proxy.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Callable, Hashable

FAILURES = 10
WINDOW_SECONDS = 300.0


class FailureLimiter:
    """Sliding-window counter of failures; a key with ``limit`` recent failures is locked."""

    def __init__(
        self,
        limit: int = FAILURES,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[Hashable, collections.deque[float]] = {}
        # Sync routes run in a thread pool.
        self._lock = threading.Lock()

    def _recent(self, key: Hashable, now: float) -> collections.deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return collections.deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def retry_after(self, *keys: Hashable) -> int | None:
        """Seconds until any of ``keys`` may try again, or None if all may try now."""
        with self._lock:
            now = self._clock()
            waits = [
                failures[0] + self.window - now
                for key in keys
                if len(failures := self._recent(key, now)) >= self.limit
            ]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, *keys: Hashable) -> None:
        """Count one failure against each of ``keys``."""
        with self._lock:
            now = self._clock()
            for key in keys:
                self._recent(key, now)
                self._failures.setdefault(key, collections.deque()).append(now)

    def clear(self, key: Hashable) -> None:
        """Forget ``key``'s failures (PyPI clears a user's count on a good sign-in)."""
        with self._lock:
            self._failures.pop(key, None)
