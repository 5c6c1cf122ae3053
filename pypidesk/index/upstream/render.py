"""Our Simple API page for an upstream project: the same formats as a local page, plus PEP 708.

File URLs point at this index (``/upstream/<name>/<sha256 path>/<filename>``),
which fetches each file on its first request and verifies its sha256. The
page says, in PEP 708's ``tracks``, that this name *is* the upstream's
project, and passes the upstream's own ``alternate-locations`` on.
"""

from __future__ import annotations

from typing import Any

from pypidesk.index.read import negotiation
from pypidesk.index.read.formats import dumps, escape
from pypidesk.index.read.http import Page, make_page
from pypidesk.index.read.simple_pages import API_VERSION
from pypidesk.index.upstream.pages import UpstreamFile, UpstreamProject

FILES_PREFIX = "/upstream/"


def file_path(name: str, entry: UpstreamFile) -> str:
    """The path this index serves an upstream file at; the sha256 names its content."""
    sha = entry.sha256
    return f"{FILES_PREFIX}{name}/{sha[:2]}/{sha[2:4]}/{sha[4:]}/{entry.filename}"


def pep708_meta_tags(tracks: list[str], alternates: list[str]) -> str:
    """PEP 708's HTML meta elements, one per URL."""
    return "".join(
        f'    <meta name="pypi:{key}" content="{escape(url)}">\n'
        for key, urls in (("tracks", tracks), ("alternate-locations", alternates))
        for url in urls
    )


def _entry(base: str, name: str, entry: UpstreamFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "filename": entry.filename,
        "url": base + file_path(name, entry),
        "hashes": {"sha256": entry.sha256},
        "requires-python": entry.requires_python,
        "yanked": entry.yanked,
        "core-metadata": False,
        "data-dist-info-metadata": False,
    }
    if entry.size is not None:
        data["size"] = entry.size
    if entry.upload_time is not None:
        data["upload-time"] = entry.upload_time
    return data


def _link(base: str, name: str, entry: UpstreamFile) -> str:
    attributes = ""
    if entry.requires_python:
        attributes += f'data-requires-python="{escape(entry.requires_python)}" '
    if entry.yanked:
        reason = escape(entry.yanked) if isinstance(entry.yanked, str) else ""
        attributes += f'data-yanked="{reason}" '
    url = escape(base + file_path(name, entry))
    return (
        f'<a href="{url}#sha256={entry.sha256}" {attributes}>{escape(entry.filename)}</a><br />\n'
    )


def render(project: UpstreamProject, base: str, content_type: str, *, now: float) -> Page:
    """``/simple/<name>/`` of an upstream project, with file URLs under ``base``."""
    name = project.name
    tracks = [project.page_url]
    alternates = list(project.alternate_locations)
    files = sorted(project.files, key=lambda f: f.filename)
    if content_type == negotiation.V1_JSON:
        body = dumps(
            {
                "meta": {"api-version": API_VERSION, "tracks": tracks},
                "name": name,
                "alternate-locations": alternates,
                "project-status": {"status": "active"},
                "versions": list(project.versions),
                "files": [_entry(base, name, entry) for entry in files],
            }
        )
    else:
        links = "".join(_link(base, name, entry) for entry in files)
        body = (
            '<!DOCTYPE html>\n<html lang="en">\n  <head>\n'
            f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
            f"{pep708_meta_tags(tracks, alternates)}"
            f"    <title>Links for {escape(name)}</title>\n  </head>\n  <body>\n"
            f"    <h1>Links for {escape(name)}</h1>\n"
            f"{links}</body>\n</html>\n"
        ).encode()
    # Ours is no fresher than the upstream's: a proxy in front asks again when it is stale.
    max_age = min(600, project.remaining(now))
    return make_page(
        200,
        content_type,
        body,
        [
            ("vary", "Accept"),
            ("cache-control", f"public, max-age={max_age}"),
            ("surrogate-key", f"project/{name}"),
            ("x-pypidesk-upstream", "fresh" if project.fresh(now) else "stale"),
        ],
        compress=True,
    )
