"""The session's edges: answers that arrive after the user moved on, failed revocations."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from pypidesk.client.credentials import CredentialStore
from pypidesk.client.profiles import Profile, ProfileKind
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.session import Reachability, Session

A = Profile("A", "http://a.test/simple/", "http://a.test/legacy/")
B = Profile("B", "http://b.test/simple/", "http://b.test/legacy/")


class SlowIndex:
    """``a.test`` waits for :attr:`release` and then answers ``status``; ``b.test`` at once."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "a.test" and request.method == "HEAD":
            self.reached.set()
            await self.release.wait()
            return httpx.Response(self.status)
        if request.url.path.endswith("/api/v1/flags"):
            return httpx.Response(200, json={"flags": {}})
        if request.method == "DELETE":
            return httpx.Response(500, text="the database is read-only")
        return httpx.Response(200, json={"username": "alice", "token": {"id": "t1"}})


@pytest.fixture
async def session_for(app_settings: AppSettings) -> AsyncIterator[object]:
    clients: list[httpx.AsyncClient] = []

    def make(index: SlowIndex) -> Session:
        http = httpx.AsyncClient(transport=httpx.MockTransport(index))
        clients.append(http)
        app_settings.custom_profiles = [A, B]
        return Session(app_settings, http, CredentialStore())

    yield make
    for http in clients:
        await http.aclose()


@pytest.mark.parametrize("status", [200, 503])
async def test_a_late_answer_for_a_profile_left_behind_is_ignored(
    session_for: object, status: int
) -> None:
    index = SlowIndex(status)
    session = session_for(index)  # type: ignore[operator]
    first = asyncio.ensure_future(session.select("A"))
    await index.reached.wait()
    await session.select("B")
    assert session.state.reachability is Reachability.REACHABLE
    index.release.set()
    await first
    assert session.state.profile == B
    assert session.state.reachability is Reachability.REACHABLE
    assert session.state.error is None


async def test_sign_out_forgets_the_token_even_when_the_index_cannot_revoke_it(
    session_for: object, app_settings: AppSettings, caplog: pytest.LogCaptureFixture
) -> None:
    index = SlowIndex(200)
    index.release.set()
    session = session_for(index)  # type: ignore[operator]
    await session.select("B")
    assert session.state.has_maintainer_api
    await session.sign_out()  # nobody signed in: nothing happens
    assert session.state.username is None
    await session.sign_in_with_token("alice", " pypi-secret-token\n")
    assert session.context().token == "pypi-secret-token"
    with caplog.at_level(logging.WARNING):
        await session.sign_out()
    assert session.state.username is None
    assert app_settings.signed_in_user(B.key) is None
    assert "the database is read-only" in caplog.text
    assert "pypi-secret-token" not in caplog.text


async def test_the_local_account_is_stored_while_another_profile_is_shown(
    session_for: object, app_settings: AppSettings
) -> None:
    index = SlowIndex(200)
    index.release.set()
    session = session_for(index)  # type: ignore[operator]
    await session.select("B")
    await session.local_index_moved("http://127.0.0.1:1234")  # not shown: no check
    assert session.state.profile == B
    await session.adopt_local_account("me", "pypi-local")
    assert session.state.username is None  # B's user, not the local one
    local = session.profiles()[0]
    assert local.kind is ProfileKind.LOCAL
    assert local.base_url == "http://127.0.0.1:1234/"
    key = session.credential_key(local)
    assert app_settings.signed_in_user(key) == "me"
    assert CredentialStore().get(key, "me") == "pypi-local"


async def test_a_token_made_on_the_tokens_page_is_kept_apart_from_the_sign_in(
    app_settings: AppSettings,
) -> None:
    store = CredentialStore()
    async with httpx.AsyncClient() as http:
        session = Session(app_settings, http, store)
        app_settings.custom_profiles = [A]
        await session.save_upload_token("pypi-before-sign-in")  # signed out: nothing kept
        session._set(profile=A)
        assert store.get(session.upload_token_key(A), "alice") is None

        await session.sign_in_with_token("alice", "pypi-sign-in")
        await session.save_upload_token("pypi-upload-only")
    assert session.upload_token_key(A) == A.key + "#upload"
    assert store.get(session.upload_token_key(A), "alice") == "pypi-upload-only"
    assert store.get(A.key, "alice") == "pypi-sign-in"


async def test_the_local_token_is_looked_up_where_the_app_put_it(
    app_settings: AppSettings,
) -> None:
    async with httpx.AsyncClient() as http:
        session = Session(app_settings, http, CredentialStore())
        assert not session.has_local_token("me")
        await session.adopt_local_account("me", "pypi-local")
        assert session.has_local_token("me")
        assert not session.has_local_token("someone-else")
