"""Rendering the Simple API pages (PEP 503 HTML, PEP 691 JSON), byte for byte like PyPI.

The HTML follows Warehouse's templates, whitespace and attribute order
included: some consumers parse it with regular expressions, and PEP 833 froze
the HTML form. JSON carries the PEP 700 and 792 keys and PyPI's private
``_last-serial``.
"""

from __future__ import annotations

from typing import Any

from packaging.utils import canonicalize_name

from pypidesk.index.db.models import Project
from pypidesk.index.read import negotiation
from pypidesk.index.read.formats import (
    dumps,
    escape,
    file_url,
    iso_time,
    version_key,
    yanked_value,
)
from pypidesk.index.read.http import Page, make_page
from pypidesk.index.read.surrogate import ALL_PROJECTS, project_key

API_VERSION = "1.4"

_CACHE_CONTROL = ("cache-control", "public, max-age=600")
_SURROGATE = "max-age=86400, stale-while-revalidate=300, stale-if-error=86400"
# PyPI lets its edge keep the (large) JSON index for 30 minutes rather than a day.
_SURROGATE_JSON_INDEX = "max-age=1800, stale-while-revalidate=300, stale-if-error=86400"


def render_index(projects: list[tuple[str, int]], serial: int, content_type: str) -> Page:
    """``/simple/``: every project, by normalized name."""
    is_json = content_type == negotiation.V1_JSON
    if is_json:
        body = dumps(
            {
                "meta": {"api-version": API_VERSION, "_last-serial": serial},
                "projects": [{"name": name, "_last-serial": last} for name, last in projects],
            }
        )
    else:
        # Warehouse's template as its Jinja2 settings (trim_blocks, lstrip_blocks)
        # render it: links start at column 0, no newline after </html>.
        links = "".join(
            f'<a href="/simple/{canonicalize_name(name)}/">{escape(name)}</a>\n'
            for name, _ in projects
        )
        body = (
            '<!DOCTYPE html>\n<html lang="en">\n  <head>\n'
            f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
            "    <title>Simple index</title>\n  </head>\n  <body>\n"
            f"{links}</body>\n</html>"
        ).encode()
    return make_page(
        200,
        content_type,
        body,
        [
            ("vary", "Accept"),
            _CACHE_CONTROL,
            ("surrogate-control", _SURROGATE_JSON_INDEX if is_json else _SURROGATE),
            ("surrogate-key", ALL_PROJECTS),
            ("x-pypi-last-serial", str(serial)),
        ],
        compress=True,
    )


def _file_entries(project: Project, base: str) -> tuple[list[str], list[dict[str, Any]]]:
    """PEP 700 ``versions`` and PEP 691 ``files``, sorted as PyPI sorts them."""
    releases = sorted(project.releases, key=lambda r: version_key(r.version))
    versions = [release.version for release in releases if release.files]
    files = []
    for release in releases:
        yanked = yanked_value(release)
        for file in sorted(release.files, key=lambda f: f.filename):
            metadata: dict[str, str] | bool = (
                {"sha256": file.metadata_sha256_digest} if file.metadata_sha256_digest else False
            )
            files.append(
                {
                    "filename": file.filename,
                    "url": file_url(base, file),
                    "hashes": {"sha256": file.sha256_digest},
                    "requires-python": file.requires_python or None,
                    "size": file.size,
                    "upload-time": iso_time(file.upload_time),
                    "yanked": yanked,
                    "core-metadata": metadata,
                    "data-dist-info-metadata": metadata,
                    "provenance": None,
                }
            )
    return versions, files


def _html_link(entry: dict[str, Any]) -> str:
    attributes = ""
    if entry["requires-python"]:
        attributes += f'data-requires-python="{escape(entry["requires-python"])}" '
    yanked = entry["yanked"]
    if yanked:
        reason = escape(yanked) if isinstance(yanked, str) else ""
        attributes += f'data-yanked="{reason}" '
    if entry["core-metadata"]:
        digest = entry["core-metadata"]["sha256"]
        attributes += (
            f'data-dist-info-metadata="sha256={digest}" data-core-metadata="sha256={digest}"'
        )
    return (
        f'<a href="{escape(entry["url"])}#sha256={entry["hashes"]["sha256"]}" '
        f"{attributes}>{escape(entry['filename'])}</a><br />\n"
    )


def render_detail(
    project: Project, base: str, content_type: str, *, tracks: list[str] | None = None
) -> Page:
    """``/simple/<name>/`` for ``project``, with file URLs under ``base``.

    ``tracks``: PEP 708's URLs of the projects this one is (the operator's
    ``admin track-upstream``); absent from the page when there are none, as on PyPI.
    """
    name = project.normalized_name
    serial = project.last_serial
    versions, files = _file_entries(project, base)
    meta: dict[str, Any] = {"api-version": API_VERSION, "_last-serial": serial}
    if tracks:
        meta["tracks"] = tracks
    if content_type == negotiation.V1_JSON:
        body = dumps(
            {
                "meta": meta,
                "name": name,
                "project-status": {"status": "active"},
                "versions": versions,
                "files": files,
            }
        )
    else:
        links = "".join(_html_link(entry) for entry in files)
        # As Warehouse's Jinja2 settings render its template: the status meta tag
        # runs into the title's line, links start at column 0.
        tracking = "".join(
            f'    <meta name="pypi:tracks" content="{escape(url)}">\n' for url in tracks or ()
        )
        body = (
            '<!DOCTYPE html>\n<html lang="en">\n  <head>\n'
            f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
            f"{tracking}"
            '<meta name="pypi:project-status" content="active">'
            f"    <title>Links for {escape(name)}</title>\n  </head>\n  <body>\n"
            f"    <h1>Links for {escape(name)}</h1>\n"
            f"{links}</body>\n</html>\n<!--SERIAL {serial}-->"
        ).encode()
    return make_page(
        200,
        content_type,
        body,
        [
            ("vary", "Accept"),
            _CACHE_CONTROL,
            ("surrogate-control", _SURROGATE),
            ("surrogate-key", project_key(name)),
            ("x-pypi-last-serial", str(serial)),
        ],
        compress=True,
    )
