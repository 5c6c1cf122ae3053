"""The Simple API (PEP 503 HTML, PEP 691 JSON), for indexes without a JSON API.

pypiserver, devpi's plain mode and static file trees only speak this. What it
cannot say (descriptions, upload times in HTML, whether a release was yanked
on a server without PEP 592) stays ``None``: unknown, not "no". Parsing is
pypi-simple's, which handles both formats and their quirks.
"""

from __future__ import annotations

from collections import defaultdict

import httpx
from pypi_simple import DistributionPackage, IndexPage, ProjectPage

from pypidesk.client.models import DistFile, FileKind, ProjectDetail, ReleaseInfo
from pypidesk.client.parsing import file_kind, python_tag, versions_newest_first

#: PEP 691: JSON preferred, HTML accepted, so any Simple API index answers.
ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
)
JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def _is_json(response: httpx.Response) -> bool:
    return str(response.headers.get("content-type", "")).startswith(JSON_TYPE)


def project_names(response: httpx.Response) -> list[str]:
    """The names the index page (``/simple/``) lists."""
    if _is_json(response):
        page = IndexPage.from_json_data(response.json())
    else:
        page = IndexPage.from_html(response.text)
    return page.projects


def _file(package: DistributionPackage) -> DistFile:
    kind = file_kind(None, package.filename)
    return DistFile(
        filename=package.filename,
        url=package.url,
        kind=kind,
        python_tag=python_tag(package.filename),
        size=package.size,
        upload_time=package.upload_time,
        sha256=package.digests.get("sha256"),
        yanked=package.is_yanked,
    )


def _release(version: str, packages: list[DistributionPackage]) -> ReleaseInfo:
    files = tuple(_file(p) for p in packages)
    yanked_all = all(p.is_yanked for p in packages)
    # PEP 592 marks yanked files; an unmarked file may come from an index that
    # knows no yanking (pypiserver), so "not yanked" is unknown here.
    reason = next((p.yanked_reason for p in packages if p.yanked_reason), None)
    return ReleaseInfo(
        version=version,
        files=files,
        yanked=True if yanked_all else None,
        yanked_reason=reason if yanked_all else None,
    )


def project_detail(name: str, response: httpx.Response, serial: int | None) -> ProjectDetail:
    """A project page (``/simple/<name>/``) as releases grouped by the files' versions."""
    url = str(response.url)
    if _is_json(response):
        page = ProjectPage.from_json_data(response.json(), base_url=url)
    else:
        page = ProjectPage.from_html(name, response.text, base_url=url)
    by_version: dict[str, list[DistributionPackage]] = defaultdict(list)
    for package in page.packages:
        if package.version is not None and file_kind(None, package.filename) != FileKind.OTHER:
            by_version[package.version].append(package)
    releases = tuple(
        _release(version, by_version[version]) for version in versions_newest_first(by_version)
    )
    return ProjectDetail(
        name=page.project or name,
        releases=releases,
        source="simple",
        serial=serial,
    )
