"""Yank, unyank and delete: PyPI's release management, for Owners only.

Deleting never frees a filename: every deleted file's name is (kept) in
``file_registry``, so the same name can never carry different content (PEP
and PyPI rule). Blobs stay on disk: a cache or a mirror may still serve them,
and an upload elsewhere may share them by content address. Deleting a project
frees its name; tokens scoped to it stay useless because a project registered
anew gets a new uuid.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pypidesk.index.db.models import File, FileRegistry, Project, Release, utcnow
from pypidesk.index.manage.context import Context
from pypidesk.index.manage.errors import ConflictError
from pypidesk.index.manage.lookup import get_file, get_project, get_release, require_owner


def _owned_release(ctx: Context, project_name: str, version: str) -> tuple[Project, Release]:
    project = get_project(ctx.session, project_name)
    require_owner(ctx, project)
    return project, get_release(ctx.session, project, version)


def yank(ctx: Context, project_name: str, version: str, reason: str = "") -> Release:
    """Mark a whole release yanked (PEP 592): installers skip it unless pinned with ==."""
    ctx.require_writable()
    project, release = _owned_release(ctx, project_name, version)
    if release.yanked:
        raise ConflictError(
            f"Release {release.version} of project '{project.name}' is already yanked.",
            code="already_yanked",
        )
    release.yanked = True
    release.yanked_reason = reason
    release.yanked_at = utcnow()
    ctx.journal(project, "yank release", version=release.version)
    ctx.event("project:release:yank", project=project.name, version=release.version, reason=reason)
    return release


def unyank(ctx: Context, project_name: str, version: str) -> Release:
    """Undo :func:`yank`; the reason is cleared as PyPI does."""
    ctx.require_writable()
    project, release = _owned_release(ctx, project_name, version)
    if not release.yanked:
        raise ConflictError(
            f"Release {release.version} of project '{project.name}' is not yanked.",
            code="not_yanked",
        )
    release.yanked = False
    release.yanked_reason = ""
    release.yanked_at = None
    ctx.journal(project, "unyank release", version=release.version)
    ctx.event("project:release:unyank", project=project.name, version=release.version)
    return release


def reserve_filenames(session: Session, files: list[File]) -> None:
    """Make sure every name in ``files`` is in ``file_registry`` before they go."""
    for file in files:
        session.merge(FileRegistry(filename=file.filename))


def delete_file(ctx: Context, project_name: str, filename: str) -> None:
    """Remove one file; its name stays reserved forever."""
    ctx.require_deletion_allowed()
    project = get_project(ctx.session, project_name)
    require_owner(ctx, project)
    file = get_file(ctx.session, project, filename)
    reserve_filenames(ctx.session, [file])
    project.total_size -= file.size
    ctx.session.delete(file)
    ctx.journal(project, f"remove file {file.filename}", version=file.release.version)
    ctx.event(
        "project:file:remove",
        project=project.name,
        version=file.release.version,
        filename=file.filename,
    )


def delete_release(ctx: Context, project_name: str, version: str) -> None:
    """Remove a release and its files; yanked releases may go too (PyPI asks to unyank first,
    which its users want dropped: warehouse#17945)."""
    ctx.require_deletion_allowed()
    project, release = _owned_release(ctx, project_name, version)
    files = list(release.files)
    reserve_filenames(ctx.session, files)
    project.total_size -= sum(file.size for file in files)
    ctx.session.delete(release)
    ctx.journal(project, "remove release", version=release.version)
    ctx.event(
        "project:release:remove",
        project=project.name,
        version=release.version,
        filenames=[file.filename for file in files],
    )


def delete_project(ctx: Context, project_name: str) -> None:
    """Remove a project with its releases, files, roles and invitations; the name is free."""
    ctx.require_deletion_allowed()
    project = get_project(ctx.session, project_name)
    require_owner(ctx, project)
    files = [file for release in project.releases for file in release.files]
    reserve_filenames(ctx.session, files)
    ctx.journal(project, "remove project")
    ctx.event("project:remove", project=project.name, files=len(files))
    ctx.session.delete(project)
    ctx.session.flush()
