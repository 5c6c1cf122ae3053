"""PyPI's JSON API: ``/pypi/<name>/json`` and ``/pypi/<name>/<version>/json``.

Keys, "latest" choice and deprecated fields follow PyPI (reference section 3),
because bandersnatch 8 mirrors from exactly these fields and other tools read
``info`` and ``urls``.
"""

from __future__ import annotations

from typing import Any

from packaging.utils import canonicalize_version

from pypidesk.index.db.models import File, Project, Release
from pypidesk.index.read.formats import (
    dumps,
    file_url,
    is_prerelease,
    iso_time,
    legacy_time,
    version_key,
)
from pypidesk.index.read.http import Page, make_page
from pypidesk.index.read.surrogate import project_key
from pypidesk.index.records.role_names import RoleName

_SURROGATE = "max-age=86400, stale-while-revalidate=300, stale-if-error=86400"
NOT_FOUND = make_page(404, "application/json", b'{"message": "Not Found"}', etag=False)


def latest_release(releases: list[Release]) -> Release:
    """Non-yanked first, then final releases, then the highest version (PyPI's order)."""
    return max(
        releases,
        key=lambda r: (not r.yanked, not is_prerelease(r.version), version_key(r.version)),
    )


def find_release(releases: list[Release], version: str) -> Release | None:
    """The release ``version`` names canonically (``1.0.0`` finds ``1.0``).

    Several releases with one canonical form need an exact match, as on PyPI.
    """
    wanted = canonicalize_version(version)
    matches = [r for r in releases if canonicalize_version(r.version) == wanted]
    if len(matches) == 1:
        return matches[0]
    return next((r for r in matches if r.version == version), None)


def _file(file: File, release: Release, base: str) -> dict[str, Any]:
    metadata: dict[str, str] | bool = (
        {"sha256": file.metadata_sha256_digest} if file.metadata_sha256_digest else False
    )
    return {
        "comment_text": file.comment_text,
        "core-metadata": metadata,
        "digests": {
            "blake2b_256": file.blake2_256_digest,
            "md5": file.md5_digest,
            "sha256": file.sha256_digest,
        },
        "downloads": -1,
        "filename": file.filename,
        "has_sig": False,
        "md5_digest": file.md5_digest,
        "packagetype": file.packagetype,
        "python_version": file.python_version,
        "requires_python": file.requires_python or None,
        "size": file.size,
        "upload_time": legacy_time(file.upload_time),
        "upload_time_iso_8601": iso_time(file.upload_time),
        "url": file_url(base, file),
        "yanked": release.yanked,
        "yanked_reason": release.yanked_reason or None,
    }


def _files(release: Release, base: str) -> list[dict[str, Any]]:
    return [_file(f, release, base) for f in sorted(release.files, key=lambda f: f.filename)]


def _project_urls(entries: list[str]) -> dict[str, str] | None:
    """Core metadata's ``Label, URL`` lines as PyPI's label-to-URL mapping."""
    urls = {}
    for entry in entries:
        label, _, url = entry.partition(",")
        urls[label.strip()] = url.strip()
    return urls or None


def _info(project: Project, release: Release, base: str) -> dict[str, Any]:
    project_url = f"{base}/project/{project.name}/"
    return {
        "author": release.author,
        "author_email": release.author_email,
        "bugtrack_url": None,
        "classifiers": list(release.classifiers),
        "description": release.description,
        "description_content_type": release.description_content_type,
        "docs_url": None,
        "download_url": release.download_url,
        "downloads": {"last_day": -1, "last_month": -1, "last_week": -1},
        "dynamic": list(release.dynamic) or None,
        "home_page": release.home_page,
        "keywords": release.keywords,
        "license": release.license,
        "license_expression": release.license_expression,
        "license_files": list(release.license_files) or None,
        "maintainer": release.maintainer,
        "maintainer_email": release.maintainer_email,
        "name": project.name,
        "package_url": project_url,
        "platform": ", ".join(release.platform) or None,
        "project_url": project_url,
        "project_urls": _project_urls(release.project_urls),
        "provides_extra": list(release.provides_extra) or None,
        "release_url": f"{project_url}{release.version}/",
        "requires_dist": list(release.requires_dist) or None,
        "requires_python": release.requires_python,
        "summary": release.summary,
        "version": release.version,
        "yanked": release.yanked,
        "yanked_reason": release.yanked_reason or None,
    }


def _ownership(project: Project) -> dict[str, Any]:
    roles = sorted(project.roles, key=lambda r: (r.role_name != RoleName.OWNER, r.user.username))
    return {
        "organization": None,
        "roles": [{"role": r.role_name, "user": r.user.username} for r in roles],
    }


def render(project: Project, version: str | None, base: str) -> Page:
    """The project endpoint (``version`` None) or a release endpoint; 404 as PyPI's."""
    if not project.releases:
        return NOT_FOUND
    if version is None:
        release = latest_release(project.releases)
    else:
        found = find_release(project.releases, version)
        if found is None:
            return NOT_FOUND
        release = found
    data: dict[str, Any] = {
        "info": _info(project, release, base),
        "last_serial": project.last_serial,
    }
    if version is None:
        # Only the project endpoint lists every release; PyPI dropped it from the
        # release endpoint so that old releases' pages stop changing.
        ordered = sorted(project.releases, key=lambda r: version_key(r.version), reverse=True)
        data["releases"] = {r.version: _files(r, base) for r in ordered}
    data["urls"] = _files(release, base)
    data["vulnerabilities"] = []
    data["ownership"] = _ownership(project)
    kind = "project-legacy-json" if version is None else "release-legacy-json"
    return make_page(
        200,
        "application/json",
        dumps(data),
        [
            ("cache-control", "public, max-age=900"),
            (
                "surrogate-control",
                "max-age=86400, stale-while-revalidate=300, stale-if-error=86400",
            ),
            ("surrogate-key", f"{project_key(project.normalized_name)} all-legacy-json {kind}"),
            ("x-pypi-last-serial", str(project.last_serial)),
        ],
        compress=True,
    )
