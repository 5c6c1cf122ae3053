"""Finding the things an action names, and who may act on them."""

from __future__ import annotations

from typing import Final

from packaging.utils import canonicalize_name, canonicalize_version
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pypidesk.index.db.models import File, Project, Release, Role, RoleName, User
from pypidesk.index.manage.context import Context
from pypidesk.index.manage.errors import NotFoundError, PermissionDeniedError

OWNER: Final = "Owner"
MAINTAINER: Final = "Maintainer"
ROLE_NAMES: tuple[RoleName, ...] = (OWNER, MAINTAINER)


def get_project(session: Session, name: str) -> Project:
    """The project called ``name`` in any spelling PEP 503 treats as the same."""
    project = session.scalar(
        select(Project).where(Project.normalized_name == canonicalize_name(name))
    )
    if project is None:
        raise NotFoundError(f"No project named '{name}'.")
    return project


def get_user(session: Session, username: str) -> User:
    """The active user ``username`` in any case (names are unique regardless of case,
    as on PyPI); an inactive account is treated as absent."""
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None or not user.is_active:
        raise NotFoundError(f"No user named '{username}'.")
    return user


def get_release(session: Session, project: Project, version: str) -> Release:
    """The release ``version`` of ``project``; "1.0" also finds "1.0.0" as PyPI's URLs do."""
    canonical = canonicalize_version(version, strip_trailing_zero=True)
    release = session.scalar(
        select(Release).where(
            Release.project_id == project.id,
            (Release.canonical_version == canonical) | (Release.version == version),
        )
    )
    if release is not None:
        return release
    raise NotFoundError(f"No release {version} of project '{project.name}'.")


def get_file(session: Session, project: Project, filename: str) -> File:
    """The file ``filename``, only if it belongs to ``project``."""
    file = session.scalar(
        select(File)
        .join(Release)
        .where(File.filename == filename, Release.project_id == project.id)
    )
    if file is None:
        raise NotFoundError(f"No file named '{filename}' in project '{project.name}'.")
    return file


def role_of(session: Session, user: User, project: Project) -> Role | None:
    return session.scalar(
        select(Role).where(Role.user_id == user.id, Role.project_id == project.id)
    )


def require_owner(ctx: Context, project: Project) -> None:
    """Only Owners (and the administrator) manage a project, as on PyPI."""
    user = ctx.actor.user
    if user is None:
        return
    role = role_of(ctx.session, user, project)
    if role is None or role.role_name != OWNER:
        raise PermissionDeniedError(
            f"Only an Owner of project '{project.name}' can do this.", code="not_owner"
        )


def require_collaborator(ctx: Context, project: Project) -> Role | None:
    """Owners and Maintainers may look; others get 403. Returns the actor's role."""
    user = ctx.actor.user
    if user is None:
        return None
    role = role_of(ctx.session, user, project)
    if role is None:
        raise PermissionDeniedError(
            f"You are not a collaborator on project '{project.name}'.",
            code="not_collaborator",
        )
    return role
