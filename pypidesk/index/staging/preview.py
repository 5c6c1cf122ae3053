"""The stage preview: a Simple API showing the index plus one session's completed files.

The stage URL is ``<root>/stage/<session token>/``, a capability that needs no
login (the draft's "Staged Previews"). Below it:

- ``<project>/``: the session's project as the Simple API serves it (PEP 503
  HTML or PEP 691 JSON by ``Accept``, PEP 658 metadata), its published files
  and the session's completed ones together; any other project redirects to
  the index's own ``/simple/<project>/``, so dependencies resolve as usual;
- ``packages/<filename>`` and ``packages/<filename>.metadata``: a staged
  file and its core metadata; published files redirect to ``/packages/…``.

Nothing here is cached (``no-store``): a stage changes until it is published.
Staged files appear nowhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pypidesk.index.db.models import (
    LIVE_SESSION_STATES,
    File,
    Project,
    Release,
    StagingSession,
)
from pypidesk.index.read import negotiation, simple_pages
from pypidesk.index.read.formats import escape
from pypidesk.index.read.http import Page, make_page, redirect, text_page
from pypidesk.index.read.records import load_project
from pypidesk.index.staging.service import StagingService
from pypidesk.index.staging.views import aware

NOT_FOUND = text_page(404, "404 Not Found")
NO_STORE = ("cache-control", "no-store")


@dataclass(frozen=True)
class StagedBytes:
    """A staged file (or its metadata) to stream."""

    path: Path
    filename: str


def _stage(session: Session, token: str) -> StagingSession | None:
    row = session.scalar(
        select(StagingSession)
        .where(StagingSession.token == token)
        .options(selectinload(StagingSession.files))
    )
    if row is None or row.status not in LIVE_SESSION_STATES:
        return None
    if aware(row.expires_at) <= dt.datetime.now(dt.UTC):
        return None
    return row


def render(
    service: StagingService, token: str, rest: str, accept: str | None, stage_base: str
) -> Page | StagedBytes:
    """The answer for ``<stage>/<rest>``; ``stage_base`` is the stage URL without its slash."""
    with service.database.read() as session:
        row = _stage(session, token)
        if row is None:
            return NOT_FOUND
        if rest == "":
            return _index(row)
        if rest.startswith("packages/"):
            return _file(service, row, rest[len("packages/") :])
        segment, slash, tail = rest.partition("/")
        normalized = canonicalize_name(segment)
        if normalized != row.normalized_name:
            return redirect(f"/simple/{normalized}/")
        if not slash or tail or segment != normalized:
            return redirect(f"{stage_base}/{normalized}/")
        published = load_project(session, normalized)
        project = _merged(row, published)
    content_type = negotiation.choose(accept)
    page = simple_pages.render_detail(project, stage_base, content_type)
    return make_page(200, content_type, page.body, [("vary", "Accept"), NO_STORE], compress=True)


def _index(row: StagingSession) -> Page:
    body = (
        "<!DOCTYPE html>\n<html>\n  <head><title>Stage of "
        f"{escape(row.name)} {escape(row.version)}</title></head>\n  <body>\n"
        f'<a href="{escape(row.normalized_name)}/">{escape(row.name)}</a>\n</body>\n</html>'
    ).encode()
    return make_page(200, negotiation.HTML, body, [NO_STORE])


def _file(service: StagingService, row: StagingSession, name: str) -> Page | StagedBytes:
    if "/" in name:
        # A published file's content-addressed path: the index serves it.
        return redirect(f"/packages/{name}")
    metadata = name.endswith(".metadata")
    filename = name[: -len(".metadata")] if metadata else name
    for staged in row.files:
        if staged.filename == filename and staged.status == "completed":
            path = service.file_path(row.token, staged.token)
            if metadata:
                if staged.metadata_sha256_digest is None:
                    return NOT_FOUND
                path = path.with_name(staged.token + ".metadata")
            return StagedBytes(path, name)
    return NOT_FOUND


def _merged(row: StagingSession, published: Project | None) -> Project:
    """A detached project: the published releases plus the staged files, never saved."""
    project = Project(
        name=published.name if published else row.name,
        normalized_name=row.normalized_name,
        last_serial=published.last_serial if published else 0,
    )
    releases: dict[str, Release] = {}
    for release in published.releases if published else []:
        copy = Release(
            version=release.version,
            canonical_version=release.canonical_version,
            yanked=release.yanked,
            yanked_reason=release.yanked_reason,
        )
        copy.files = [_copy_file(f) for f in release.files]
        releases[release.canonical_version] = copy
        project.releases.append(copy)
    target = releases.get(row.canonical_version)
    if target is None:
        target = Release(
            version=row.version,
            canonical_version=row.canonical_version,
            yanked=False,
            yanked_reason="",
        )
        project.releases.append(target)
    for staged in row.files:
        if staged.status != "completed":
            continue
        assert staged.sha256_digest is not None  # set on completion
        target.files.append(
            File(
                filename=staged.filename,
                # Under the stage's base: ``<stage>/packages/<filename>``.
                path=staged.filename,
                sha256_digest=staged.sha256_digest,
                size=staged.size,
                requires_python=staged.requires_python,
                upload_time=staged.created,
                metadata_sha256_digest=staged.metadata_sha256_digest,
            )
        )
    return project


def _copy_file(file: File) -> File:
    return File(
        filename=file.filename,
        path=file.path,
        sha256_digest=file.sha256_digest,
        size=file.size,
        requires_python=file.requires_python,
        upload_time=file.upload_time,
        metadata_sha256_digest=file.metadata_sha256_digest,
    )
