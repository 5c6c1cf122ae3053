"""API tokens: mine (create, list, revoke) and those scoped to a project I own."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from pypidesk.index.api import schemas, views
from pypidesk.index.api.calls import authenticated
from pypidesk.index.api.common import AUTHENTICATED
from pypidesk.index.api.errors import ApiError
from pypidesk.index.db.models import ApiToken, utcnow
from pypidesk.index.manage import api_tokens
from pypidesk.index.manage.lookup import get_project, require_collaborator
from pypidesk.index.records import accounts

router = APIRouter(tags=["tokens"], dependencies=AUTHENTICATED)


@router.get("/account/tokens")
def list_my_tokens(request: Request) -> list[schemas.TokenInfo]:
    """My tokens, newest first; the server keeps no secret to show."""
    with authenticated(request) as call:
        return [
            views.token_info(t) for t in api_tokens.tokens_of(call.session, call.identity.user)
        ]


@router.post("/account/tokens", status_code=201)
def create_my_token(request: Request, body: schemas.TokenCreate) -> schemas.TokenCreated:
    """A new token for the whole account or for projects I have a role in.

    Several projects in one token are fine (PyPI's UI offers only one). The
    secret is in this response and nowhere else.
    """
    with authenticated(request) as call:
        call.context.require_writable()
        user = call.identity.user
        projects = []
        for name in dict.fromkeys(body.projects):
            project = get_project(call.session, name)
            require_collaborator(call.context, project)
            projects.append(project)
        expires_at = (
            None
            if body.expires_in_days is None
            else utcnow() + dt.timedelta(days=body.expires_in_days)
        )
        exists = select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.name == body.name)
        if call.session.scalar(exists) is not None:
            raise ApiError(
                409, f"You already have a token named {body.name!r}.", "token_name_taken"
            )
        try:
            secret = accounts.create_token(
                call.session,
                call.settings,
                user,
                body.name,
                projects=projects,
                expires_at=expires_at,
                permissions=list(dict.fromkeys(body.permissions)),
            )
        except accounts.AccountError as exc:  # pragma: no cover - the model checks the same
            raise ApiError(400, str(exc), "invalid_token") from exc
        token = call.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == body.name)
        ).one()
        call.context.event(
            "account:api_token:added",
            target_user=user.username,
            token_id=token.id,
            name=token.name,
            projects=list(token.project_names),
            permissions=list(token.permissions),
        )
        return schemas.TokenCreated(**views.token_info(token).model_dump(), token=secret)


@router.delete("/account/tokens/{token_id}", status_code=204)
def revoke_my_token(request: Request, token_id: str) -> Response:
    """Revoke one of my tokens; it stops working at once."""
    with authenticated(request) as call:
        api_tokens.revoke_own_token(call.context, call.identity.user, token_id)
    return Response(status_code=204)


@router.get("/projects/{project}/tokens")
def list_project_tokens(request: Request, project: str) -> list[schemas.TokenInfo]:
    """Every token that can upload to ``project``, whoever made it (Owners only)."""
    with authenticated(request, project=project) as call:
        return [views.token_info(t) for t in api_tokens.project_tokens(call.context, project)]


@router.delete("/projects/{project}/tokens/{token_id}", status_code=204)
def revoke_project_token(request: Request, project: str, token_id: str) -> Response:
    """Revoke a token that can upload to ``project``, even a collaborator's (Owners only)."""
    with authenticated(request, project=project) as call:
        api_tokens.revoke_project_token(call.context, project, token_id)
    return Response(status_code=204)
