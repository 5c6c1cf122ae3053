"""How times and sizes read in the app: "3 days ago" (exact time in the tooltip), "1.2 MB"."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication

from pypidesk.gui import timefmt

_CONTEXT = "formatting"

# (seconds in the unit, text for one, text for several); the largest unit that fits is used.
_UNITS: tuple[tuple[int, str, str], ...] = (
    (60, "1 minute ago", "%n minutes ago"),
    (3600, "1 hour ago", "%n hours ago"),
    (86400, "yesterday", "%n days ago"),
    (86400 * 30, "1 month ago", "%n months ago"),
    (86400 * 365, "1 year ago", "%n years ago"),
)


def _tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate(_CONTEXT, text, None, n)


def count_text(context: str, n: int, one: str, several: str) -> str:
    """``one`` or ``several`` (with ``%n``), translated in ``context``.

    The app ships no English translation file to pick Qt's plural forms, so
    English gets both forms written out; each is still a tr() string.
    """
    text = QCoreApplication.translate(context, one if n == 1 else several, None, n)
    return text.replace("%n", str(n))


def relative_time(when: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """``when`` as a person says it ("just now", "5 minutes ago", "2 years ago")."""
    if when is None:
        return _tr("unknown")
    now = now or dt.datetime.now(dt.UTC)
    seconds = int((now - when).total_seconds())
    if seconds < 60:
        # A clock slightly ahead of ours gives a small negative age: still "just now".
        return _tr("just now") if seconds > -60 else exact_time(when)
    size, one, several = next(unit for unit in reversed(_UNITS) if seconds >= unit[0])
    return count_text(_CONTEXT, seconds // size, one, several)


def exact_time(when: dt.datetime | None) -> str:
    """The exact local time, for tooltips and copies."""
    if when is None:
        return _tr("unknown")
    return timefmt.exact(when)


def human_size(size: int | None) -> str:
    """Bytes in the largest decimal unit that keeps a number >= 1, as PyPI shows them."""
    if size is None:
        return _tr("unknown")
    if size < 1000:
        return count_text(_CONTEXT, size, "1 byte", "%n bytes")
    units = ("kB", "MB", "GB", "TB")
    value = size / 1000
    step = 0
    while value >= 1000 and step < len(units) - 1:
        value /= 1000
        step += 1
    return f"{value:.1f} {units[step]}"
