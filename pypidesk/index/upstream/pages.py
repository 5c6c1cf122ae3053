"""An upstream project page as this index keeps it: parsed once, stored in the data dir.

The upstream is asked in PEP 691 JSON, HTML accepted (any Simple API index
answers); pypi-simple parses either. What is kept is what our own page
needs (files with their sha256, versions, PEP 708 alternate locations) and
what freshness needs (when it was fetched, the upstream's ``max-age`` and
``ETag``). Kept as JSON files under ``upstream/pages/`` so that every worker
and every restart serve it, also while the upstream is down.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

from pypi_simple import ProjectPage

PYPI_SIMPLE = "https://pypi.org/simple/"
ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
)
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\b", re.IGNORECASE)


@dataclasses.dataclass(frozen=True, slots=True)
class UpstreamFile:
    """One file of an upstream page; only files with a sha256 are kept (it is verified)."""

    filename: str
    url: str
    sha256: str
    requires_python: str | None = None
    yanked: bool | str = False
    size: int | None = None
    upload_time: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class UpstreamProject:
    """An upstream project page, and when and for how long it is fresh."""

    name: str
    # The upstream's URL of this project: the PEP 708 ``tracks`` value.
    page_url: str
    files: tuple[UpstreamFile, ...]
    versions: tuple[str, ...]
    alternate_locations: tuple[str, ...]
    fetched: float
    max_age: int
    etag: str | None = None

    def fresh(self, now: float) -> bool:
        return now < self.fetched + self.max_age

    def remaining(self, now: float) -> int:
        """Seconds it stays fresh (0 when stale)."""
        return max(0, int(self.fetched + self.max_age - now))

    def file(self, sha256: str, filename: str) -> UpstreamFile | None:
        for entry in self.files:
            if entry.sha256 == sha256 and entry.filename == filename:
                return entry
        return None

    def to_json(self) -> bytes:
        return json.dumps(dataclasses.asdict(self)).encode()

    @classmethod
    def from_json(cls, data: bytes) -> UpstreamProject:
        raw: dict[str, Any] = json.loads(data)
        raw["files"] = tuple(UpstreamFile(**entry) for entry in raw["files"])
        raw["versions"] = tuple(raw["versions"])
        raw["alternate_locations"] = tuple(raw["alternate_locations"])
        return cls(**raw)


def max_age(cache_control: str | None) -> int:
    """How long the upstream lets its page be reused: ``max-age``, 0 for ``no-cache``."""
    if not cache_control or _NO_CACHE.search(cache_control):
        return 0
    found = _MAX_AGE.search(cache_control)
    return int(found.group(1)) if found else 0


def parse_page(
    name: str,
    page_url: str,
    *,
    body: bytes,
    content_type: str,
    headers: dict[str, str],
) -> UpstreamProject:
    """An :class:`UpstreamProject` from an upstream's answer (JSON or HTML)."""
    if content_type.startswith(JSON_TYPE):
        page = ProjectPage.from_json_data(json.loads(body), base_url=page_url)
    else:
        page = ProjectPage.from_html(name, body, base_url=page_url)
    files = []
    for package in page.packages:
        sha256 = package.digests.get("sha256", "").lower()
        if not _SHA256.fullmatch(sha256):
            continue  # nothing to verify it against: not served
        yanked: bool | str = (package.yanked_reason or True) if package.is_yanked else False
        files.append(
            UpstreamFile(
                filename=package.filename,
                url=package.url,
                sha256=sha256,
                requires_python=package.requires_python,
                yanked=yanked,
                size=package.size,
                upload_time=(
                    package.upload_time.isoformat().replace("+00:00", "Z")
                    if package.upload_time
                    else None
                ),
            )
        )
    return UpstreamProject(
        name=name,
        page_url=page_url,
        files=tuple(files),
        versions=tuple(page.versions or ()),
        alternate_locations=tuple(page.alternate_locations or ()),
        fetched=time.time(),
        max_age=max_age(headers.get("cache-control")),
        etag=headers.get("etag"),
    )


class PageStore:
    """Upstream pages on disk, one JSON file per project, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def load(self, name: str) -> UpstreamProject | None:
        try:
            return UpstreamProject.from_json(self._path(name).read_bytes())
        except (OSError, ValueError, TypeError, KeyError):
            return None  # never fetched, or a file this version cannot read: fetch again

    def save(self, project: UpstreamProject) -> None:
        temporary = self.directory / f".{project.name}.{secrets.token_hex(4)}"
        temporary.write_bytes(project.to_json())
        temporary.replace(self._path(project.name))

    def forget(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)
