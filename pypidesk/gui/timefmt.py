"""Times as people read them: "3 days ago", "in 5 hours", with the exact time for a tooltip.

Lists show the relative form (GUI-DESIGN: dates relative, exact time in the
tooltip). Strings go through Qt's translate with the count form, so a
translation can supply its own plurals.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication

_CONTEXT = "timefmt"
_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_MONTH = 30 * _DAY
_YEAR = 365 * _DAY


def english_plural(text: str, count: int) -> str:
    """Resolve "(s)" in an untranslated count string: Qt leaves it for a translation to do.

    A loaded translation supplies real plural forms and has no "(s)" left.
    """
    return text.replace("(s)", "" if count == 1 else "s")


def _tr(text: str, count: int = -1) -> str:
    return english_plural(QCoreApplication.translate(_CONTEXT, text, None, count), count)


def _ago(seconds: int) -> str:
    if seconds < _MINUTE:
        return _tr("just now")
    if seconds < _HOUR:
        return _tr("%n minute(s) ago", seconds // _MINUTE)
    if seconds < _DAY:
        return _tr("%n hour(s) ago", seconds // _HOUR)
    if seconds < _MONTH:
        return _tr("%n day(s) ago", seconds // _DAY)
    if seconds < _YEAR:
        return _tr("%n month(s) ago", seconds // _MONTH)
    return _tr("%n year(s) ago", seconds // _YEAR)


def _ahead(seconds: int) -> str:
    if seconds < _MINUTE:
        return _tr("in less than a minute")
    if seconds < _HOUR:
        return _tr("in %n minute(s)", seconds // _MINUTE)
    if seconds < _DAY:
        return _tr("in %n hour(s)", seconds // _HOUR)
    if seconds < _MONTH:
        return _tr("in %n day(s)", seconds // _DAY)
    if seconds < _YEAR:
        return _tr("in %n month(s)", seconds // _MONTH)
    return _tr("in %n year(s)", seconds // _YEAR)


def relative(when: dt.datetime, now: dt.datetime) -> str:
    """``when`` seen from ``now``: "2 days ago" or "in 3 hours" (rounded down)."""
    seconds = int((when - now).total_seconds())
    return _ahead(seconds) if seconds > 0 else _ago(-seconds)


def exact(when: dt.datetime) -> str:
    """The full local time with its zone, for a tooltip: "2026-12-07 21:04:05 UTC"."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def now() -> dt.datetime:
    """The current time, aware, in UTC (what the server's times are compared with)."""
    return dt.datetime.now(dt.UTC)
