"""Relative times with English plurals, and the exact time for tooltips."""

from __future__ import annotations

import datetime as dt

import pytest

from pypidesk.gui import timefmt

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(seconds=-30), "just now"),
        (dt.timedelta(0), "just now"),
        (dt.timedelta(minutes=-1), "1 minute ago"),
        (dt.timedelta(minutes=-59), "59 minutes ago"),
        (dt.timedelta(hours=-2), "2 hours ago"),
        (dt.timedelta(days=-1), "1 day ago"),
        (dt.timedelta(days=-45), "1 month ago"),
        (dt.timedelta(days=-800), "2 years ago"),
        (dt.timedelta(seconds=20), "in less than a minute"),
        (dt.timedelta(minutes=5), "in 5 minutes"),
        (dt.timedelta(hours=1), "in 1 hour"),
        (dt.timedelta(days=3), "in 3 days"),
        (dt.timedelta(days=90), "in 3 months"),
        (dt.timedelta(days=366), "in 1 year"),
    ],
)
def test_relative(qapp: object, delta: dt.timedelta, text: str) -> None:
    assert timefmt.relative(NOW + delta, NOW) == text


def test_exact_and_now() -> None:
    assert timefmt.exact(NOW).startswith(NOW.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
    assert timefmt.now().tzinfo is dt.UTC
    assert timefmt.english_plural("%n file(s)", 1) == "%n file"
