"""PyPI's JSON API (``/pypi/<name>/json``) read into a :class:`ProjectDetail`.

The same document comes from PyPI, TestPyPI and pypidesk; fields an index
leaves out become ``None`` (unknown) rather than errors.
"""

from __future__ import annotations

from typing import Any

from pypidesk.client.models import DistFile, ProjectDetail, ReleaseInfo
from pypidesk.client.parsing import file_kind, parse_time, versions_newest_first


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_file(entry: dict[str, Any]) -> DistFile:
    filename = str(entry.get("filename", ""))
    digests = entry.get("digests")
    sha256 = _str_or_none(digests.get("sha256")) if isinstance(digests, dict) else None
    return DistFile(
        filename=filename,
        url=str(entry.get("url", "")),
        kind=file_kind(_str_or_none(entry.get("packagetype")), filename),
        python_tag=_str_or_none(entry.get("python_version")),
        size=_int_or_none(entry.get("size")),
        upload_time=parse_time(entry.get("upload_time_iso_8601") or entry.get("upload_time")),
        sha256=sha256,
        yanked=entry.get("yanked") is True,
    )


def _release(version: str, entries: list[dict[str, Any]], info: dict[str, Any]) -> ReleaseInfo:
    files = tuple(parse_file(entry) for entry in entries)
    if files:
        # PyPI marks every file of a yanked release; the release is yanked if they all are.
        yanked = all(f.yanked for f in files)
        reason = next(
            (_str_or_none(e.get("yanked_reason")) for e in entries if e.get("yanked_reason")),
            None,
        )
    else:
        # A release without files carries no yank flag in "releases"; only the
        # latest one has it, in "info".
        is_latest = info.get("version") == version
        yanked = bool(info.get("yanked")) if is_latest else False
        reason = _str_or_none(info.get("yanked_reason")) if is_latest else None
    return ReleaseInfo(version=version, files=files, yanked=yanked, yanked_reason=reason)


def parse_project(data: dict[str, Any], serial: int | None) -> ProjectDetail:
    """``data`` is the decoded JSON of ``/pypi/<name>/json``."""
    info = data.get("info") or {}
    releases_data: dict[str, list[dict[str, Any]]] = data.get("releases") or {}
    if not releases_data and info.get("version"):
        releases_data = {str(info["version"]): list(data.get("urls") or [])}
    releases = tuple(
        _release(version, releases_data[version], info)
        for version in versions_newest_first(releases_data)
    )
    return ProjectDetail(
        name=str(info.get("name", "")),
        releases=releases,
        summary=_str_or_none(info.get("summary")),
        description=_str_or_none(info.get("description")),
        description_content_type=_str_or_none(info.get("description_content_type")),
        project_url=_str_or_none(info.get("project_url")),
        source="json",
        serial=_int_or_none(data.get("last_serial")) if serial is None else serial,
        latest=_str_or_none(info.get("version")),
    )
