"""Who is asking, from the ``Authorization`` header, and what their token allows.

Split in two steps as in Warehouse: :func:`authenticate` finds the user (a
token is looked up by its identifier only), and :func:`check_token` verifies
the token's signature and caveats against the project being acted on. A
tampered token thus passes the first step and fails the second with PyPI's
"Invalid API Token: signatures do not match".
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import re
import time
from typing import TYPE_CHECKING, Generic, TypeAlias, TypeVar

from pymacaroons import Macaroon
from sqlalchemy.orm import Session, joinedload

from pypidesk.index.auth import macaroons
from pypidesk.index.auth.caveats import CaveatContext
from pypidesk.index.auth.passwords import hash_password, verify_password
from pypidesk.index.auth.server_secret import load_or_create_secret
from pypidesk.index.db.models import ApiToken, Project, User, utcnow
from pypidesk.index.errors import RefusedError
from pypidesk.index.records.accounts import PERMISSIONS, find_user
from pypidesk.index.settings import ServerSettings

if TYPE_CHECKING:
    from pypidesk.index.upload.records import ProjectRecord, TokenRecord, UserRecord

# ORM rows, or on the upload path the plain records it reads (same attributes).
# Covariant: an Identity[User, ApiToken] is an Identity of either kind.
UserT_co = TypeVar("UserT_co", bound="User | UserRecord", covariant=True)
TokenT_co = TypeVar("TokenT_co", bound="ApiToken | TokenRecord", covariant=True)

# Token ids are str(uuid4()). Anything else is refused before it reaches the
# database: PostgreSQL rejects strings with NUL characters with an error.
TOKEN_ID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TOKEN_USERNAME = "__token__"  # noqa: S105 - the username twine sends with a token
INVALID_AUTH = (
    "Invalid or non-existent authentication information. "
    "See {help}invalid-auth for more information."
)
USERNAME_AUTH_UNSUPPORTED = (
    "Username/Password authentication is no longer supported. Migrate to API Tokens or "
    "Trusted Publishers instead. See {help}apitoken and {help}trusted-publishers"
)


@functools.cache
def _dummy_hash() -> str:
    """Checked when the username is unknown, so that a wrong name costs as long
    as a wrong password and response times do not reveal which accounts exist."""
    return hash_password("pypidesk: no such user")


@dataclasses.dataclass(frozen=True)
class Identity(Generic[UserT_co, TokenT_co]):
    """An authenticated user, and the token they used (None for a password)."""

    user: UserT_co
    token: TokenT_co | None
    # The presented macaroon, kept for check_token's signature check.
    macaroon: Macaroon | None = dataclasses.field(default=None, repr=False, compare=False)


# What check_token takes: an API call's identity, or an upload's of either kind.
AnyIdentity: TypeAlias = "Identity[User | UserRecord, ApiToken | TokenRecord]"


class AuthenticationError(RefusedError):
    """No usable identity; ``message`` is PyPI's 403 text."""

    status = 403
    code = "unauthenticated"


class TokenScopeError(RefusedError):
    """The token may not do this; ``message`` is PyPI's "Invalid API Token: ..." text."""

    status = 403
    code = "token_scope"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("Invalid API Token: " + ", ".join(reasons))


def _help(settings: ServerSettings) -> str:
    return settings.help_url + "#"


def invalid_credentials(settings: ServerSettings) -> AuthenticationError:
    return AuthenticationError(INVALID_AUTH.format(help=_help(settings)))


def _credentials(authorization: str | None) -> tuple[str, str] | None:
    """(username, secret) from the header; a bare token comes as ``__token__``."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    scheme = scheme.lower()
    if scheme in ("bearer", "token"):
        return TOKEN_USERNAME, value
    if scheme != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


def presented_credentials(
    settings: ServerSettings, authorization: str | None, *, allow_password: bool
) -> Macaroon | tuple[str, str]:
    """The token's macaroon, or (username, password) where passwords are allowed.

    Raises AuthenticationError for anything else. Nothing is looked up yet,
    so the upload path and :func:`authenticate` can find the token each their way.
    """
    credentials = _credentials(authorization)
    if credentials is None:
        raise invalid_credentials(settings)
    username, secret = credentials
    if username != TOKEN_USERNAME:
        if not allow_password:
            raise AuthenticationError(USERNAME_AUTH_UNSUPPORTED.format(help=_help(settings)))
        return username, secret
    macaroon = macaroons.parse(secret.strip())
    if macaroon is None:
        raise invalid_credentials(settings)
    return macaroon


def token_id_of(macaroon: Macaroon) -> str | None:
    """The token row id the macaroon names, None if it cannot be one."""
    token_id = macaroon.identifier_bytes.decode("utf-8", errors="replace")
    return token_id if TOKEN_ID_PATTERN.match(token_id) else None


def authenticate(
    session: Session, settings: ServerSettings, authorization: str | None, *, allow_password: bool
) -> Identity[User, ApiToken]:
    """The identity behind an ``Authorization`` header, or AuthenticationError.

    Pass a write session: a token's ``last_used`` is updated.
    """
    found = presented_credentials(settings, authorization, allow_password=allow_password)
    if isinstance(found, tuple):
        return password_identity(session, settings, *found)
    token_id = token_id_of(found)
    token = (
        # The user comes in the same query: every caller needs it.
        session.get(ApiToken, token_id, options=[joinedload(ApiToken.user)])
        if token_id is not None
        else None
    )
    if token is None or not token.user.is_active:
        raise invalid_credentials(settings)
    token.last_used = utcnow()
    return Identity(user=token.user, token=token, macaroon=found)


def password_identity(
    session: Session, settings: ServerSettings, username: str, password: str
) -> Identity[User, ApiToken]:
    user = find_user(session, username)
    verified = verify_password(user.password_hash if user else _dummy_hash(), password)
    if user is None or not verified or not user.is_active:
        raise invalid_credentials(settings)
    return Identity(user=user, token=None)


def check_token(
    settings: ServerSettings,
    identity: AnyIdentity,
    *,
    project: Project | ProjectRecord | None,
    permission: str = "upload",
) -> None:
    """Raise TokenScopeError unless the identity's token may act on ``project``.

    ``project`` is None where no project exists yet (creating one), which a
    project-scoped token may not do. Password identities have no token to check.
    """
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    token = identity.token
    if token is None:
        return
    if identity.macaroon is None:
        raise TokenScopeError([macaroons.SIGNATURE_MISMATCH])
    secret = load_or_create_secret(settings.resolved_secret_key_file)
    key = macaroons.root_key(secret, token.id, token.key_salt)
    context = CaveatContext(user_uuid=identity.user.uuid, project=project, now=int(time.time()))
    errors = macaroons.verify(identity.macaroon, key, token.caveats, context)
    if errors:
        raise TokenScopeError(errors)
    if permission not in token.permissions:
        raise TokenScopeError([f"token does not have the {permission!r} permission"])
