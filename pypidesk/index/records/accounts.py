"""User accounts and their API tokens: the rules PyPI applies, as service functions.

Callers pass a write session and commit; every expected failure is an
:class:`AccountError` whose message is one sentence fit to show a user.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pypidesk.index.auth import caveats, macaroons
from pypidesk.index.auth.caveats import Caveat
from pypidesk.index.auth.passwords import hash_password
from pypidesk.index.auth.server_secret import load_or_create_secret
from pypidesk.index.db.models import ApiToken, Project, User
from pypidesk.index.errors import RefusedError
from pypidesk.index.settings import ServerSettings

# PyPI's username rule: ASCII letters, digits, ".", "_" and "-", starting and
# ending with a letter or digit, at most 50 characters.
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,48}[A-Za-z0-9])?$")
# Plausible, not RFC 5322: one "@", no spaces, a dotted domain. Delivery is
# the only real check and this index sends no mail.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")
MAX_EMAIL_LENGTH = 254
MIN_PASSWORD_LENGTH = 8
# argon2 accepts any length; a cap keeps one request from costing much.
MAX_PASSWORD_LENGTH = 4096
MAX_TOKEN_NAME_LENGTH = 100
# Control characters make no sense in a name, and PostgreSQL refuses NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
PERMISSIONS = ("upload", "manage")


class AccountError(RefusedError):
    """A request about accounts that cannot be done; the message says why (400)."""

    code = "invalid_account"


def create_user(session: Session, username: str, email: str, password: str) -> User:
    """A new active user; names are unique regardless of case, as on PyPI."""
    if not USERNAME_PATTERN.match(username):
        raise AccountError(
            f"The username {username!r} is invalid: use at most 50 ASCII letters, digits, "
            "'.', '_' and '-', starting and ending with a letter or digit."
        )
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(email):
        raise AccountError(f"The email address {email!r} is not valid.")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(
            f"The password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long."
        )
    if find_user(session, username) is not None:
        raise AccountError(f"User {username!r} already exists.")
    user = User(username=username, email=email, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    """The user named ``username`` in any case, or None."""
    if not USERNAME_PATTERN.match(username):
        # No account has such a name; and PostgreSQL errors on NUL characters.
        return None
    query = select(User).where(func.lower(User.username) == username.lower())
    return session.scalars(query).one_or_none()


def get_user(session: Session, username: str) -> User:
    """The user named ``username`` in any case."""
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"No user named {username!r}.")
    return user


def create_token(
    session: Session,
    settings: ServerSettings,
    user: User,
    name: str,
    *,
    projects: Sequence[Project] = (),
    expires_at: dt.datetime | None = None,
    permissions: Sequence[str] = ("upload",),
) -> str:
    """A new API token for ``user``; the returned ``pypi-...`` secret is shown once.

    Without ``projects`` the token works for the whole account (PyPI's
    RequestUser caveat); with them, only for those projects, by name and by
    uuid, so it dies with a deleted project even if the name comes back.
    """
    if not 1 <= len(name) <= MAX_TOKEN_NAME_LENGTH or CONTROL_CHARACTERS.search(name):
        raise AccountError(
            f"A token name must be 1 to {MAX_TOKEN_NAME_LENGTH} characters long, "
            "without control characters."
        )
    if not permissions:
        raise AccountError("A token needs a permission: 'upload' and/or 'manage'.")
    unknown = sorted(set(permissions) - set(PERMISSIONS))
    if unknown:
        raise AccountError(
            f"Unknown token permission {unknown[0]!r}; use 'upload' and/or 'manage'."
        )
    duplicate = select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.name == name)
    if session.scalars(duplicate).first() is not None:
        raise AccountError(f"User {user.username!r} already has a token named {name!r}.")
    now = dt.datetime.now(dt.UTC)
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        if expires_at <= now:
            raise AccountError("The token's expiry time must be in the future.")

    names = sorted({project.normalized_name for project in projects})
    uuids = sorted({project.uuid for project in projects})
    token_caveats: list[Caveat] = (
        [caveats.project_names(names), caveats.project_ids(uuids)]
        if projects
        else [caveats.request_user(user.uuid)]
    )
    if expires_at is not None:
        token_caveats.append(caveats.expiration(int(expires_at.timestamp()), int(now.timestamp())))
    token = ApiToken(
        id=str(uuid.uuid4()),
        user_id=user.id,
        name=name,
        key_salt=secrets.token_bytes(32),
        caveats=token_caveats,
        permissions=sorted(set(permissions)),
        project_names=names,
        project_uuids=uuids,
        created=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    secret = load_or_create_secret(settings.resolved_secret_key_file)
    key = macaroons.root_key(secret, token.id, token.key_salt)
    return macaroons.mint(settings.token_domain, token.id, key, token_caveats)


def revoke_token(session: Session, user: User, name_or_id: str) -> None:
    """Delete ``user``'s token by name or id; it stops working at once."""
    token = None
    if not CONTROL_CHARACTERS.search(name_or_id):
        query = select(ApiToken).where(
            ApiToken.user_id == user.id,
            or_(ApiToken.id == name_or_id, ApiToken.name == name_or_id),
        )
        token = session.scalars(query).first()
    if token is None:
        raise AccountError(f"User {user.username!r} has no token named {name_or_id!r}.")
    session.delete(token)
    session.flush()
