"""Failed sign-ins, counted per user and per client address (PyPI: 10 per 5 minutes).

A try is counted *before* its password is checked (:meth:`FailureLimiter.acquire`)
and taken back only when the password was right (:meth:`FailureLimiter.release`).
Checking first and counting after the argon2 hash let parallel requests all
pass the check while the first hashes ran: 31 of 40 parallel wrong passwords
were checked (issue 12, finding 7). Counting first makes the eleventh try wait
whatever the timing.

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

# PyPI's answer (Warehouse's ``failed_logins`` view): the body text, and the
# reason phrase its legacy upload API sends, where twine prints it.
TOO_MANY_FAILURES = "There have been too many unsuccessful login attempts. Try again later."
TOO_MANY_FAILURES_REASON = "Too Many Failed Login Attempts"


class RateLimitedError(Exception):
    """A key is at its limit; ``retry_after`` is whole seconds until it may try again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


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
        # Password checks run in worker threads.
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

    def _wait(self, keys: tuple[Hashable, ...], now: float) -> int | None:
        waits = [
            failures[0] + self.window - now
            for key in keys
            if len(failures := self._recent(key, now)) >= self.limit
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def retry_after(self, *keys: Hashable) -> int | None:
        """Seconds until any of ``keys`` may try again, or None if all may try now."""
        with self._lock:
            return self._wait(keys, self._clock())

    def acquire(self, *keys: Hashable) -> float:
        """Count one try against each of ``keys`` now, before the password is checked.

        Raises RateLimitedError (counting nothing) if any key is at its limit.
        Returns the try's stamp, for :meth:`release` if the password was right.
        """
        with self._lock:
            now = self._clock()
            wait = self._wait(keys, now)
            if wait is not None:
                raise RateLimitedError(wait)
            for key in keys:
                self._failures.setdefault(key, collections.deque()).append(now)
            return now

    def release(self, stamp: float, *keys: Hashable) -> None:
        """Take back the try counted at ``stamp`` against ``keys``: it was no failure."""
        with self._lock:
            for key in keys:
                failures = self._failures.get(key)
                if failures is not None and stamp in failures:
                    failures.remove(stamp)
                    if not failures:
                        del self._failures[key]

    def clear(self, key: Hashable) -> None:
        """Forget ``key``'s failures (PyPI clears a user's count on a good sign-in)."""
        with self._lock:
            self._failures.pop(key, None)


def password_keys(username: str, address: str | None) -> tuple[tuple[str, str | None], ...]:
    """The limiter's keys for a password try: the account, and the client address."""
    return (("user", username.lower()), ("address", address))


class PasswordTry:
    """One password try, counted against the account and the address before the check.

    Construct it before checking the password (RateLimitedError if either key
    is at its limit); call :meth:`succeeded` if the password was right. A try
    that never succeeds stays counted as a failure, whatever went wrong.
    """

    def __init__(self, limiter: FailureLimiter, username: str, address: str | None) -> None:
        self._limiter = limiter
        self._keys = password_keys(username, address)
        self._stamp = limiter.acquire(*self._keys)

    def succeeded(self) -> None:
        """The password was right: take the try back and forget the account's failures."""
        self._limiter.release(self._stamp, *self._keys)
        self._limiter.clear(self._keys[0])
