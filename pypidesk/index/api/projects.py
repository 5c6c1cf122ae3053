"""A project's collaborators, invitations, releases, files and history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from pypidesk.index.api import schemas, views
from pypidesk.index.api.calls import authenticated
from pypidesk.index.api.common import AUTHENTICATED
from pypidesk.index.manage import releases, roles
from pypidesk.index.manage.lookup import require_collaborator
from pypidesk.index.records.events import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, project_history

router = APIRouter(tags=["projects"], dependencies=AUTHENTICATED)


@router.get("/projects/{project}/collaborators")
def list_collaborators(request: Request, project: str) -> schemas.Collaborators:
    """Roles, Owners first; Owners also see pending invitations."""
    with authenticated(request, project=project) as call:
        listing = roles.list_collaborators(call.context, project)
        return schemas.Collaborators(
            roles=[
                schemas.Collaborator(username=r.user.username, role=r.role_name)
                for r in listing.roles
            ],
            invitations=[views.invitation(call.session, i) for i in listing.invitations],
        )


@router.post("/projects/{project}/invitations", status_code=201)
def invite(request: Request, project: str, body: schemas.InvitationCreate) -> schemas.Invitation:
    """Invite a user as Owner or Maintainer; they accept or decline before it expires."""
    with authenticated(request, project=project) as call:
        row = roles.invite(
            call.context,
            project,
            body.username,
            body.role,
            lifetime=dt.timedelta(hours=body.expires_in_hours),
        )
        call.session.flush()
        return views.invitation(call.session, row)


@router.delete("/projects/{project}/invitations/{username}", status_code=204)
def revoke_invitation(request: Request, project: str, username: str) -> Response:
    """Withdraw a pending invitation."""
    with authenticated(request, project=project) as call:
        roles.revoke_invitation(call.context, project, username)
    return Response(status_code=204)


@router.patch("/projects/{project}/collaborators/{username}")
def change_role(
    request: Request, project: str, username: str, body: schemas.RoleUpdate
) -> schemas.Collaborator:
    """Make a collaborator Owner or Maintainer (not yourself)."""
    with authenticated(request, project=project) as call:
        role = roles.change_role(call.context, project, username, body.role)
        return schemas.Collaborator(username=role.user.username, role=role.role_name)


@router.delete("/projects/{project}/collaborators/{username}", status_code=204)
def remove_collaborator(request: Request, project: str, username: str) -> Response:
    """Remove a collaborator (Owners), or leave a project (anyone but its sole Owner)."""
    with authenticated(request, project=project) as call:
        roles.remove_role(call.context, project, username)
    return Response(status_code=204)


@router.post("/projects/{project}/releases/{version}/yank")
def yank(
    request: Request,
    project: str,
    version: str,
    body: Annotated[schemas.Yank | None, Body()] = None,
) -> schemas.ReleaseState:
    """Yank a release (PEP 592) with an optional reason; the body may be left out.

    PyPI's yank form may be sent empty, so no body is a yank without a reason.
    """
    reason = "" if body is None else body.reason
    with authenticated(request, project=project) as call:
        release = releases.yank(call.context, project, version, reason)
        return views.release_state(release.project, release)


@router.post("/projects/{project}/releases/{version}/unyank")
def unyank(request: Request, project: str, version: str) -> schemas.ReleaseState:
    """Undo a yank."""
    with authenticated(request, project=project) as call:
        release = releases.unyank(call.context, project, version)
        return views.release_state(release.project, release)


@router.delete("/projects/{project}/releases/{version}", status_code=204)
def delete_release(request: Request, project: str, version: str) -> Response:
    """Delete a release and its files; the filenames can never be uploaded again."""
    with authenticated(request, project=project) as call:
        releases.delete_release(call.context, project, version)
    return Response(status_code=204)


@router.delete("/projects/{project}/files/{filename}", status_code=204)
def delete_file(request: Request, project: str, filename: str) -> Response:
    """Delete one file; its name can never be uploaded again."""
    with authenticated(request, project=project) as call:
        releases.delete_file(call.context, project, filename)
    return Response(status_code=204)


@router.delete("/projects/{project}", status_code=204)
def delete_project(request: Request, project: str) -> Response:
    """Delete a whole project; the name becomes free, its filenames stay taken."""
    with authenticated(request, project=project) as call:
        releases.delete_project(call.context, project)
    return Response(status_code=204)


@router.get("/projects/{project}/history")
def history(
    request: Request,
    project: str,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> schemas.History:
    """Everything done to the project, newest first (collaborators only)."""
    with authenticated(request, project=project) as call:
        assert call.project is not None
        require_collaborator(call.context, call.project)
        return views.history(
            project_history(call.session, call.project.name, before=before, limit=limit)
        )
