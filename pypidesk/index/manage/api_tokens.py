"""Listing and revoking API tokens: the user's own, and those scoped to a project.

Minting lives with the accounts code (it owns the macaroon keys); here is
what PyPI's users keep asking for (warehouse#6263, #12765): see every token
that can touch a project and kill it, from the project's side.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pypidesk.index.db.models import ApiToken, Project, User
from pypidesk.index.manage.context import Context
from pypidesk.index.manage.errors import NotFoundError
from pypidesk.index.manage.lookup import get_project, require_owner


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created.desc(), ApiToken.name)
        )
    )


def _scoped_to(session: Session, project: Project) -> list[ApiToken]:
    """Every token that can upload to ``project``: scoped to it, or a collaborator's
    token for their whole account (warehouse#6263 asks for exactly this list)."""
    # Match the uuid, not the name: a token for a deleted namesake cannot touch
    # this project. Scopes are JSON lists; an index holds few tokens, so filter here.
    collaborators = {role.user_id for role in project.roles}
    tokens = session.scalars(select(ApiToken).order_by(ApiToken.created.desc(), ApiToken.name))
    return [
        token
        for token in tokens
        if project.uuid in (token.project_uuids or [])
        or (
            not token.project_uuids
            and token.user_id in collaborators
            and "upload" in (token.permissions or [])
        )
    ]


def project_tokens(ctx: Context, project_name: str) -> list[ApiToken]:
    """Every token that can upload to the project, whoever made it; for its Owners."""
    project = get_project(ctx.session, project_name)
    require_owner(ctx, project)
    return _scoped_to(ctx.session, project)


def revoke_project_token(ctx: Context, project_name: str, token_id: str) -> ApiToken:
    """An Owner revokes a token scoped to their project, even another user's."""
    ctx.require_writable()
    project = get_project(ctx.session, project_name)
    require_owner(ctx, project)
    for token in _scoped_to(ctx.session, project):
        if token.id == token_id:
            ctx.session.delete(token)
            ctx.event(
                "project:api_token:removed",
                project=project.name,
                token_id=token.id,
                target_user=token.user.username,
                name=token.name,
            )
            return token
    raise NotFoundError(f"No token with id '{token_id}' is scoped to project '{project.name}'.")


def revoke_own_token(ctx: Context, user: User, token_id: str) -> ApiToken:
    """Revoke one of ``user``'s tokens by id (the user, or the administrator)."""
    ctx.require_writable()
    token = ctx.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError(f"No token with id '{token_id}' for user '{user.username}'.")
    ctx.session.delete(token)
    ctx.event(
        "account:api_token:removed",
        target_user=user.username,
        token_id=token.id,
        name=token.name,
    )
    return token
