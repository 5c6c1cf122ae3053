"""Small value formatters shared by the Simple API and the JSON API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from packaging.version import Version

from pypidesk.index.db.models import File, Release


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A naive UTC datetime: SQLite hands back naive ones, PostgreSQL aware ones."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def iso_time(moment: dt.datetime) -> str:
    """ISO 8601 with ``Z``, microseconds only when non-zero (PyPI's ``upload-time``)."""
    return as_utc(moment).isoformat() + "Z"


def unix_time(moment: dt.datetime) -> int:
    """Seconds since the epoch, as XML-RPC's changelog reports them."""
    return int(as_utc(moment).replace(tzinfo=dt.UTC).timestamp())


def legacy_time(moment: dt.datetime) -> str:
    """The JSON API's old ``upload_time``: seconds, no zone."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S")


def file_url(base: str, file: File) -> str:
    """The absolute, content-addressed URL of a file on this server."""
    return f"{base}/packages/{file.path}"


def yanked_value(release: Release) -> bool | str:
    """PEP 592/691: false, true, or the reason when one was given."""
    if not release.yanked:
        return False
    return release.yanked_reason or True


def version_key(version: str) -> Version:
    """Sort key in PEP 440 order; uploads only ever store valid versions."""
    return Version(version)


def is_prerelease(version: str) -> bool:
    return Version(version).is_prerelease


def dumps(data: dict[str, Any]) -> bytes:
    """JSON as Warehouse's renderer writes it: compact, keys sorted, a trailing newline."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text + "\n").encode()


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def escape(text: str) -> str:
    """HTML-escape exactly as Jinja2's autoescape (markupsafe) does."""
    return text.translate(_ESCAPES)
