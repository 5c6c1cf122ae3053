"""The password limiter: a sliding window per key, a try counted before it is checked."""

from __future__ import annotations

import threading

import pytest

from pypidesk.index.auth.ratelimit import (
    FailureLimiter,
    PasswordTry,
    RateLimitedError,
    password_keys,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_locked_after_the_limit_until_the_window_passes() -> None:
    clock = Clock()
    limiter = FailureLimiter(limit=3, window=60, clock=clock)
    for _ in range(2):
        limiter.acquire("user", "address")
        clock.now += 10
    assert limiter.retry_after("user") is None
    limiter.acquire("user")
    # The oldest failure (t=1000) leaves the window at t=1060; now is t=1020.
    assert limiter.retry_after("user") == 40
    assert limiter.retry_after("address") is None
    assert limiter.retry_after("other", "user") == 40
    with pytest.raises(RateLimitedError) as refused:
        limiter.acquire("address", "user")
    assert refused.value.retry_after == 40
    # A refused try counts nothing, not even against the key that had room.
    assert limiter.retry_after("address") is None
    limiter.acquire("address")
    assert limiter.retry_after("address") == 40
    clock.now = 1060.5
    assert limiter.retry_after("user") is None
    # Old failures are forgotten entirely once none is left in the window.
    clock.now = 5000
    assert limiter.retry_after("user", "address") is None
    assert limiter._failures == {}


def test_waits_are_whole_seconds_at_least_one() -> None:
    clock = Clock()
    limiter = FailureLimiter(limit=1, window=1, clock=clock)
    limiter.acquire("k")
    clock.now += 0.9999
    assert limiter.retry_after("k") == 1


def test_clear_forgets_a_key() -> None:
    limiter = FailureLimiter(limit=1)
    limiter.acquire("a", "b")
    limiter.clear("a")
    assert limiter.retry_after("a") is None
    assert limiter.retry_after("b") is not None
    limiter.clear("missing")


def test_release_takes_back_one_try() -> None:
    clock = Clock()
    limiter = FailureLimiter(limit=2, clock=clock)
    limiter.acquire("a", "b")
    clock.now += 1
    stamp = limiter.acquire("a")
    limiter.release(stamp, "a", "b", "never-counted")
    assert limiter.retry_after("a") is None
    assert len(limiter._failures["a"]) == 1
    # Releasing the last try of a key forgets the key.
    limiter.release(1000.0, "b")
    assert "b" not in limiter._failures


def test_parallel_tries_never_pass_the_limit() -> None:
    """The race of issue 12, finding 7: tries counted first cannot slip past together."""
    limiter = FailureLimiter(limit=10)
    start = threading.Barrier(40)
    admitted: list[bool] = []

    def attempt() -> None:
        start.wait()
        try:
            limiter.acquire(*password_keys("ghost", "192.0.2.1"))
        except RateLimitedError:
            admitted.append(False)
        else:
            admitted.append(True)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert admitted.count(True) == 10


def test_a_password_try_that_succeeds_costs_nothing_and_clears_the_account() -> None:
    limiter = FailureLimiter(limit=3)
    for _ in range(2):
        PasswordTry(limiter, "Alice", "192.0.2.1")
    good = PasswordTry(limiter, "alice", "192.0.2.1")
    good.succeeded()
    assert limiter.retry_after(("user", "alice")) is None
    assert ("user", "alice") not in limiter._failures
    # The address keeps its two failures, not the good try.
    assert len(limiter._failures["address", "192.0.2.1"]) == 2
