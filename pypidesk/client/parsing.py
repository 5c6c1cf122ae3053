"""Small shared helpers for reading index answers: times, versions, file kinds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from pypidesk.client.models import FileKind


def parse_time(value: object) -> dt.datetime | None:
    """An ISO 8601 time as an aware UTC datetime; None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # PyPI's legacy "upload_time" is UTC without an offset.
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def version_sort_key(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        # Legacy versions (PyPI still has some) sort below every valid one.
        return (0, version)


def versions_newest_first(versions: Iterable[str]) -> list[str]:
    """Versions in PEP 440 order, newest first; invalid ones last, by text."""
    return sorted(versions, key=version_sort_key, reverse=True)


def file_kind(packagetype: str | None, filename: str) -> FileKind:
    """``bdist_wheel``/``sdist`` from the JSON API, or guessed from the filename."""
    if packagetype == "bdist_wheel" or (packagetype is None and filename.endswith(".whl")):
        return FileKind.WHEEL
    if packagetype == "sdist" or (packagetype is None and filename.endswith((".tar.gz", ".zip"))):
        return FileKind.SDIST
    return FileKind.OTHER


def python_tag(filename: str) -> str | None:
    """A file's Python tag from its name: the wheel's interpreter tags, "source" for sdists."""
    if filename.endswith(".whl"):
        try:
            _name, _version, _build, tags = parse_wheel_filename(filename)
        except (InvalidWheelFilename, InvalidVersion):
            return None
        return ".".join(sorted({tag.interpreter for tag in tags}))
    if filename.endswith((".tar.gz", ".zip")):
        return "source"
    return None
