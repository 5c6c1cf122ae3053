"""Relative times, exact times and human sizes as the lists show them."""

from __future__ import annotations

import datetime as dt

import pytest

from pypidesk.gui.formatting import count_text, exact_time, human_size, relative_time

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (dt.timedelta(seconds=5), "just now"),
        (dt.timedelta(seconds=-30), "just now"),
        (dt.timedelta(minutes=1, seconds=10), "1 minute ago"),
        (dt.timedelta(minutes=59), "59 minutes ago"),
        (dt.timedelta(hours=3), "3 hours ago"),
        (dt.timedelta(days=1, hours=2), "yesterday"),
        (dt.timedelta(days=12), "12 days ago"),
        (dt.timedelta(days=65), "2 months ago"),
        (dt.timedelta(days=800), "2 years ago"),
    ],
)
def test_relative_time(age: dt.timedelta, text: str) -> None:
    assert relative_time(NOW - age, NOW) == text


def test_a_time_well_in_the_future_is_shown_exactly() -> None:
    later = NOW + dt.timedelta(hours=2)
    assert relative_time(later, NOW) == exact_time(later)


def test_relative_time_defaults_to_now() -> None:
    assert relative_time(dt.datetime.now(dt.UTC)) == "just now"


def test_exact_time_is_local_with_seconds() -> None:
    text = exact_time(NOW)
    assert text.startswith(NOW.astimezone().strftime("%Y-%m-%d %H:%M:%S"))


def test_unknowns() -> None:
    assert relative_time(None) == "unknown"
    assert exact_time(None) == "unknown"
    assert human_size(None) == "unknown"


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (1, "1 byte"),
        (999, "999 bytes"),
        (1000, "1.0 kB"),
        (2_500_000, "2.5 MB"),
        (3_000_000_000, "3.0 GB"),
        (7 * 10**15, "7000.0 TB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_count_text() -> None:
    assert count_text("x", 1, "1 file", "%n files") == "1 file"
    assert count_text("x", 0, "1 file", "%n files") == "0 files"
