"""The failed-sign-in limiter: a sliding window per key."""

from __future__ import annotations

from pypidesk.index.auth.ratelimit import FailureLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_locked_after_the_limit_until_the_window_passes() -> None:
    clock = Clock()
    limiter = FailureLimiter(limit=3, window=60, clock=clock)
    for _ in range(2):
        limiter.failed("user", "address")
        clock.now += 10
    assert limiter.retry_after("user") is None
    limiter.failed("user")
    # The oldest failure (t=1000) leaves the window at t=1060; now is t=1020.
    assert limiter.retry_after("user") == 40
    assert limiter.retry_after("address") is None
    assert limiter.retry_after("other", "user") == 40
    clock.now = 1060.5
    assert limiter.retry_after("user") is None
    # Old failures are forgotten entirely once none is left in the window.
    clock.now = 5000
    assert limiter.retry_after("user", "address") is None
    assert limiter._failures == {}


def test_waits_are_whole_seconds_at_least_one() -> None:
    clock = Clock()
    limiter = FailureLimiter(limit=1, window=1, clock=clock)
    limiter.failed("k")
    clock.now += 0.9999
    assert limiter.retry_after("k") == 1


def test_clear_forgets_a_key() -> None:
    limiter = FailureLimiter(limit=1)
    limiter.failed("a", "b")
    limiter.clear("a")
    assert limiter.retry_after("a") is None
    assert limiter.retry_after("b") is not None
    limiter.clear("missing")
