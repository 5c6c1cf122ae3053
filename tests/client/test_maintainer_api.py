"""Sign-in, whoami and sign-out against a real pypidesk server; the token format check."""

from __future__ import annotations

import base64

import httpx
import pytest

from pypidesk.client.errors import AuthenticationError, IndexUnreachableError
from pypidesk.client.maintainer_api import (
    check_token_format,
    default_token_name,
    probe,
    sign_in,
    sign_out,
    whoami,
)
from pypidesk.client.profiles import Profile, local_profile
from tests.conftest import LiveServer
from tests.live_accounts import create_user


async def test_sign_in_whoami_and_sign_out(live_server: LiveServer) -> None:
    password = create_user(live_server.data_dir)
    profile = local_profile(live_server.url)
    async with httpx.AsyncClient() as http:
        assert await probe(http, profile)
        signed_in = await sign_in(http, profile, "alice", password, token_name="pypidesk test")
        assert signed_in.username == "alice"
        assert signed_in.token.startswith("pypi-")
        assert check_token_format(signed_in.token) is None
        assert "pypi-" not in repr(signed_in)

        me = await whoami(http, profile, signed_in.token)
        assert (me.username, me.token_id) == ("alice", signed_in.token_id)

        await sign_out(http, profile, signed_in.token)
        with pytest.raises(AuthenticationError):
            await whoami(http, profile, signed_in.token)


async def test_a_wrong_password_is_refused_with_the_servers_words(
    live_server: LiveServer,
) -> None:
    create_user(live_server.data_dir)
    async with httpx.AsyncClient() as http:
        with pytest.raises(AuthenticationError, match="Invalid username or password"):
            await sign_in(http, local_profile(live_server.url), "alice", "wrong password")


async def test_an_index_without_the_api_is_told_apart(static_server: tuple[str, object]) -> None:
    url, root = static_server
    async with httpx.AsyncClient() as http:
        # Nothing there: 404, as PyPI answers.
        assert not await probe(http, Profile("x", url + "/simple/", url + "/legacy/"))
        # Something there, but not the API's JSON.
        (root / "api" / "v1").mkdir(parents=True)  # type: ignore[operator]
        (root / "api" / "v1" / "flags").write_text("<html></html>")  # type: ignore[operator]
        assert not await probe(http, Profile("x", url + "/", url + "/legacy/"))


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("not json", "application/json"), ("[1, 2]", "application/json")],
)
async def test_json_that_is_not_the_flags_is_no_api(body: str, content_type: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body.encode(), headers={"content-type": content_type})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        assert not await probe(http, Profile("x", "http://x/simple/", "http://x/legacy/"))


async def test_an_unreachable_index_raises() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(IndexUnreachableError):
            await probe(http, local_profile("http://127.0.0.1:9"))


def test_the_token_name_says_which_machine() -> None:
    assert default_token_name().startswith("pypidesk on ")
    assert len(default_token_name()) <= 100


def _token(first_byte: int, length: int = 40) -> str:
    raw = bytes([first_byte]) + b"x" * length
    return "pypi-" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("", "Paste the API token"),
        ("   ", "Paste the API token"),
        ("ghp_abcdef", "starts with “pypi-”; this one does not"),
        ("pypi-AgEI bad", "characters an API token never has"),
        ("pypi-A", "cut short"),
        ("pypi-" + "A" * 5, "cut short"),
        (_token(1), "not a macaroon"),
        ("pypi-AgE", "not a macaroon"),
    ],
)
def test_a_malformed_token_is_explained(token: str, problem: str) -> None:
    message = check_token_format(token)
    assert message is not None
    assert problem in message


def test_a_well_formed_token_passes() -> None:
    assert check_token_format(_token(2)) is None
    assert check_token_format(" " + _token(2) + "\n") is None
