"""One API call: who asks, whether their token may manage this, and one transaction.

Every route does ``with authenticated(request, project=name) as call:`` and
runs its service function on ``call.context``. Authentication, the token's
scope check and the action share the write transaction, so a refusal at any
step changes nothing. Password tries are counted per user and per client
address before the password is checked, and answered with 429 once over the limit.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from pypidesk.index.api.errors import ApiError
from pypidesk.index.auth.identity import (
    TOKEN_USERNAME,
    AuthenticationError,
    Identity,
    authenticate,
    check_token,
)
from pypidesk.index.auth.ratelimit import (
    TOO_MANY_FAILURES,
    FailureLimiter,
    PasswordTry,
    RateLimitedError,
)
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import ApiToken, Project, User
from pypidesk.index.manage.context import Actor, Context
from pypidesk.index.manage.lookup import get_project
from pypidesk.index.records import flags
from pypidesk.index.records.events import record_event
from pypidesk.index.settings import ServerSettings

# Tells clients (and the OpenAPI reader) which schemes the API takes.
WWW_AUTHENTICATE = 'Basic realm="pypidesk", Bearer'


@dataclasses.dataclass(frozen=True)
class Call:
    """An authenticated request's session, identity and service context."""

    context: Context
    identity: Identity[User, ApiToken]
    settings: ServerSettings
    project: Project | None

    @property
    def session(self) -> Session:
        return self.context.session


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def password_username(authorization: str | None) -> str | None:
    """The username of a Basic password header (not ``__token__``), for rate limiting."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, _password = decoded.partition(":")
    if not colon or username == TOKEN_USERNAME:
        return None
    return username


def basic_header(username: str, password: str) -> str:
    raw = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def start_try(limiter: FailureLimiter, username: str, address: str | None) -> PasswordTry:
    """Count a password try before it is checked; 429 with PyPI's text if over the limit."""
    try:
        return PasswordTry(limiter, username, address)
    except RateLimitedError as exc:
        raise ApiError(
            429, TOO_MANY_FAILURES, "rate_limited", {"Retry-After": str(exc.retry_after)}
        ) from exc


def record_failure(database: Database, username: str, address: str | None) -> None:
    """Leave a failed password in the account's history (the try is already counted)."""
    with database.write() as session:
        record_event(
            session,
            "account:login:failure",
            username=username,
            ip_address=address,
            additional={"reason": "invalid_credentials"},
        )


def _identity(
    request: Request, session: Session, authorization: str | None
) -> tuple[Identity[User, ApiToken] | None, str | None]:
    """The identity (or None if refused) and the refusal message."""
    settings: ServerSettings = request.app.state.settings
    try:
        identity = authenticate(session, settings, authorization, allow_password=True)
    except AuthenticationError as exc:
        return None, exc.message
    return identity, None


def check_manage(
    call_settings: ServerSettings,
    session: Session,
    identity: Identity[User, ApiToken],
    project: Project | None,
) -> None:
    # A TokenScopeError answers 403 "token_scope" through the API's error handler.
    check_token(call_settings, identity, project=project, permission="manage")


@contextlib.contextmanager
def authenticated(request: Request, *, project: str | None = None) -> Iterator[Call]:
    """Authenticate ``request`` and hold one write transaction for the whole call.

    With ``project``, the project must exist (404) and the token must be
    allowed to manage it; without, the token must be an account-wide one.
    """
    settings: ServerSettings = request.app.state.settings
    database: Database = request.app.state.database
    limiter: FailureLimiter = request.app.state.login_limiter
    authorization = request.headers.get("authorization")
    address = client_address(request)
    username = password_username(authorization)
    attempt = None if username is None else start_try(limiter, username, address)
    with database.write() as session:
        identity, refusal = _identity(request, session, authorization)
        if identity is not None:
            if attempt is not None:
                attempt.succeeded()
            target = None if project is None else get_project(session, project)
            check_manage(settings, session, identity, target)
            actor = Actor(
                user=identity.user,
                ip_address=address,
                token_name=None if identity.token is None else identity.token.name,
            )
            yield Call(Context(session, actor, settings.help_url), identity, settings, target)
            return
    if username is not None:
        record_failure(database, username, address)
    raise ApiError(401, refusal or "", "unauthenticated", {"WWW-Authenticate": WWW_AUTHENTICATE})


def require_writable(request: Request) -> None:
    """Router dependency: in read-only mode every write (non-GET) is refused with 403."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    database: Database = request.app.state.database
    settings: ServerSettings = request.app.state.settings
    with database.read() as session:
        read_only = flags.is_enabled(session, flags.READ_ONLY)
    if read_only:
        raise ApiError(403, flags.read_only_management_message(settings.help_url), "read_only")
