"""Sign-in and sign-out on an index, and the shape of a PyPI API token.

pypidesk's own index offers a maintainer API under ``/api/v1/``: the app
trades a username and password, once, for a token named after this machine,
and later revokes that token to sign out. PyPI and other indexes have no such
API; there the user pastes a token, and :func:`check_token_format` catches a
truncated or mistyped one before it is stored.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
import socket

import httpx

from pypidesk.client.errors import IndexHTTPError
from pypidesk.client.http import send
from pypidesk.client.profiles import Profile

TOKEN_PREFIX = "pypi-"  # noqa: S105 - the prefix of PyPI's tokens, not a secret
# A macaroon serialized in format 2 starts with the version byte 0x02.
MACAROON_V2 = 2
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
# Longest machine name put in a token's name (the server allows 100 characters).
MAX_HOST_LENGTH = 60


@dataclasses.dataclass(frozen=True, slots=True)
class SignedIn:
    """Who signed in, and the token the app keeps (in the keyring) to act for them."""

    username: str
    token_id: str
    token: str = dataclasses.field(repr=False)


def api_url(profile: Profile, path: str) -> str:
    return f"{profile.base_url}api/v1/{path}"


def token_auth(token: str) -> httpx.BasicAuth:
    """What twine sends with a token; the maintainer API takes it too."""
    return httpx.BasicAuth("__token__", token)


def default_token_name() -> str:
    """The name of the app's token: the server replaces a token of the same name on sign-in."""
    host = socket.gethostname()[:MAX_HOST_LENGTH] or "this computer"
    return f"pypidesk on {host}"


async def probe(http: httpx.AsyncClient, profile: Profile) -> bool:
    """True when ``profile``'s index offers pypidesk's maintainer API.

    PyPI answers 404 (HTML) at that path; only the maintainer API answers JSON.
    An unreachable index raises :class:`~pypidesk.client.errors.IndexUnreachableError`.
    """
    try:
        response = await send(http, "GET", api_url(profile, "flags"))
    except IndexHTTPError:
        return False
    if not response.headers.get("content-type", "").startswith("application/json"):
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "flags" in body


async def sign_in(
    http: httpx.AsyncClient,
    profile: Profile,
    username: str,
    password: str,
    *,
    token_name: str | None = None,
) -> SignedIn:
    """Trade ``password`` for a manage+upload token; the password is not kept anywhere."""
    response = await send(
        http,
        "POST",
        api_url(profile, "sign-in"),
        expect=(201,),
        json={
            "username": username,
            "password": password,
            "token_name": token_name or default_token_name(),
        },
    )
    body = response.json()
    return SignedIn(username=body["username"], token_id=body["id"], token=body["token"])


async def whoami(http: httpx.AsyncClient, profile: Profile, token: str) -> SignedIn:
    """The account and token id ``token`` belongs to (raises AuthenticationError if revoked)."""
    response = await send(http, "GET", api_url(profile, "account"), auth=token_auth(token))
    body = response.json()
    token_info = body.get("token") or {}
    return SignedIn(username=body["username"], token_id=str(token_info.get("id", "")), token=token)


async def sign_out(http: httpx.AsyncClient, profile: Profile, token: str) -> None:
    """Revoke ``token`` on the server, authenticated by that same token."""
    signed_in = await whoami(http, profile, token)
    await send(
        http,
        "DELETE",
        api_url(profile, f"account/tokens/{signed_in.token_id}"),
        expect=(204,),
        auth=token_auth(token),
    )


def check_token_format(token: str) -> str | None:
    """None if ``token`` looks like a PyPI API token, else a sentence saying what is wrong.

    Only the shape is checked (``pypi-`` and a base64 macaroon); the index alone
    can tell whether it is valid.
    """
    token = token.strip()
    if not token:
        return "Paste the API token: it starts with “pypi-”."
    if not token.startswith(TOKEN_PREFIX):
        return "An API token starts with “pypi-”; this one does not. Copy the whole token."
    body = token.removeprefix(TOKEN_PREFIX)
    if not _BASE64URL.match(body):
        return (
            "The token has characters an API token never has (spaces or line breaks?). "
            "Copy it again in one piece."
        )
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return "The token is cut short: copy it again in one piece."
    if len(raw) < 8 or raw[0] != MACAROON_V2:
        return "This is not a PyPI API token: the part after “pypi-” is not a macaroon."
    return None
