"""Sign-in, registration and the signed-in user's account."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from pypidesk.index.api import project_list, schemas, views
from pypidesk.index.api.calls import (
    WWW_AUTHENTICATE,
    Call,
    authenticated,
    basic_header,
    client_address,
    record_failure,
    start_try,
)
from pypidesk.index.api.common import AUTHENTICATED
from pypidesk.index.api.errors import ApiError
from pypidesk.index.auth.identity import AuthenticationError, authenticate
from pypidesk.index.auth.passwords import hash_password, verify_password
from pypidesk.index.auth.ratelimit import FailureLimiter
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import ApiToken, User, utcnow
from pypidesk.index.manage import roles
from pypidesk.index.manage.context import as_utc
from pypidesk.index.records import accounts, flags
from pypidesk.index.records.events import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    account_history,
    record_event,
)
from pypidesk.index.settings import ServerSettings

router = APIRouter(tags=["account"])

# The desktop app's token: it manages (this API) and uploads (twine's /legacy/).
SIGN_IN_PERMISSIONS = ("manage", "upload")


def _account(user: User, token: ApiToken | None) -> schemas.Account:
    return schemas.Account(
        username=user.username,
        email=user.email,
        created=as_utc(user.created),
        authenticated_with="password" if token is None else "token",
        token=None if token is None else views.token_info(token),
    )


@router.get("/flags")
def get_flags(request: Request) -> schemas.FlagStates:
    """The admin switches in force, so a client can say why a change is refused."""
    database: Database = request.app.state.database
    with database.read() as session:
        return schemas.FlagStates(flags=flags.all_flags(session))


@router.post("/sign-in", status_code=201)
def sign_in(request: Request, body: schemas.SignIn) -> schemas.TokenCreated:
    """Trade a password, once, for a ``manage``+``upload`` token named after the machine.

    An existing token of the same name is revoked and replaced, so signing in
    again from the same machine never piles up tokens.
    """
    settings: ServerSettings = request.app.state.settings
    database: Database = request.app.state.database
    limiter: FailureLimiter = request.app.state.login_limiter
    address = client_address(request)
    attempt = start_try(limiter, body.username, address)
    with database.write() as session:
        try:
            identity = authenticate(
                session, settings, basic_header(body.username, body.password), allow_password=True
            )
        except AuthenticationError:
            identity = None
        if identity is not None:
            attempt.succeeded()
            user = identity.user
            old = session.scalar(
                select(ApiToken).where(
                    ApiToken.user_id == user.id, ApiToken.name == body.token_name
                )
            )
            if old is not None:
                session.delete(old)
                session.flush()
            expires_at = (
                None
                if body.expires_in_days is None
                else utcnow() + dt.timedelta(days=body.expires_in_days)
            )
            secret = accounts.create_token(
                session,
                settings,
                user,
                body.token_name,
                expires_at=expires_at,
                permissions=SIGN_IN_PERMISSIONS,
            )
            token = session.scalars(
                select(ApiToken).where(
                    ApiToken.user_id == user.id, ApiToken.name == body.token_name
                )
            ).one()
            for tag in ("account:login:success", "account:api_token:added"):
                record_event(
                    session,
                    tag,
                    username=user.username,
                    ip_address=address,
                    additional={"token_name": token.name, "replaced": old is not None},
                )
            info = views.token_info(token)
            return schemas.TokenCreated(
                **info.model_dump(), token=secret, replaced=old is not None
            )
    record_failure(database, body.username, address)
    # RFC 9110 §15.5.2: every 401 names the schemes that would be accepted.
    raise ApiError(
        401,
        "Invalid username or password.",
        "unauthenticated",
        {"WWW-Authenticate": WWW_AUTHENTICATE},
    )


@router.post("/register", status_code=201)
def register(request: Request, body: schemas.Registration) -> schemas.Account:
    """Self-registration, only on a server started with ``--open-registration``."""
    settings: ServerSettings = request.app.state.settings
    database: Database = request.app.state.database
    if not settings.open_registration:
        raise ApiError(
            403,
            "Registration is closed on this index: ask its administrator for an account "
            "(pypidesk admin create-user).",
            "registration_closed",
        )
    with database.write() as session:
        if flags.is_enabled(session, flags.DISALLOW_NEW_USER_REGISTRATION):
            raise ApiError(
                403,
                flags.message(flags.DISALLOW_NEW_USER_REGISTRATION, settings.help_url),
                "registration_disabled",
            )
        if accounts.find_user(session, body.username) is not None:
            raise ApiError(409, f"User {body.username!r} already exists.", "user_exists")
        # An AccountError answers 400 "invalid_account" through the API's error handler.
        user = accounts.create_user(session, body.username, body.email, body.password)
        record_event(
            session, "account:create", username=user.username, ip_address=client_address(request)
        )
        return _account(user, None)


@router.get("/account", dependencies=AUTHENTICATED)
def whoami(request: Request) -> schemas.Account:
    """Who the credentials belong to, and which token (if any) was used."""
    with authenticated(request) as call:
        return _account(call.identity.user, call.identity.token)


@router.get("/account/projects", dependencies=AUTHENTICATED)
def my_projects(request: Request) -> list[schemas.MyProject]:
    """Projects I have a role in, with the role, latest version and last upload."""
    with authenticated(request) as call:
        found = roles.projects_of(call.session, call.identity.user)
        latest = project_list.latest_versions(call.session, [p.id for p, _role in found])
        uploads = project_list.last_uploads(call.session, [p.id for p, _role in found])
        return [
            schemas.MyProject(
                project=project.name,
                role=role,
                latest_version=latest.get(project.id),
                last_upload=None if project.id not in uploads else as_utc(uploads[project.id]),
            )
            for project, role in found
        ]


@router.post("/account/password", dependencies=AUTHENTICATED)
def change_password(request: Request, body: schemas.PasswordChange) -> schemas.PasswordChanged:
    """Change my password; it needs the current one. API tokens are not revoked."""
    limiter: FailureLimiter = request.app.state.login_limiter
    address = client_address(request)
    with authenticated(request) as call:
        user = call.identity.user
        username = user.username
        attempt = start_try(limiter, username, address)
        if verify_password(user.password_hash, body.current_password):
            attempt.succeeded()
            return _set_password(call, user, body.new_password)
    record_failure(request.app.state.database, username, address)
    raise ApiError(403, "The current password is wrong.", "wrong_password")


def _set_password(call: Call, user: User, password: str) -> schemas.PasswordChanged:
    low, high = accounts.MIN_PASSWORD_LENGTH, accounts.MAX_PASSWORD_LENGTH
    if not low <= len(password) <= high:
        raise ApiError(
            400, f"The password must be {low} to {high} characters long.", "weak_password"
        )
    user.password_hash = hash_password(password)
    kept = len(call.session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id)).all())
    call.context.event("account:password:change", tokens_kept=kept)
    return schemas.PasswordChanged(
        message=(
            f"Password changed. Your {kept} API token(s) keep working; revoke any you no "
            "longer trust (DELETE /api/v1/account/tokens/{id})."
        ),
        tokens_kept=kept,
    )


@router.get("/account/invitations", dependencies=AUTHENTICATED)
def my_invitations(request: Request) -> list[schemas.Invitation]:
    """Invitations waiting for my answer."""
    with authenticated(request) as call:
        return [
            views.invitation(call.session, row)
            for row in roles.invitations_of(call.session, call.identity.user)
        ]


@router.post("/account/invitations/{project}/accept", dependencies=AUTHENTICATED)
def accept_invitation(request: Request, project: str) -> schemas.ProjectRole:
    """Accept an invitation: I get the offered role in ``project``."""
    with authenticated(request, project=project) as call:
        role = roles.accept_invitation(call.context, project)
        return schemas.ProjectRole(
            project=role.project.name,
            role=role.role_name,
        )


@router.post("/account/invitations/{project}/decline", status_code=204, dependencies=AUTHENTICATED)
def decline_invitation(request: Request, project: str) -> Response:
    """Decline an invitation to ``project``."""
    with authenticated(request, project=project) as call:
        roles.decline_invitation(call.context, project)
    return Response(status_code=204)


@router.get("/account/history", dependencies=AUTHENTICATED)
def my_history(
    request: Request,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> schemas.History:
    """What I did and what was done to my account, newest first."""
    with authenticated(request) as call:
        page = account_history(
            call.session, call.identity.user.username, before=before, limit=limit
        )
        return views.history(page)
