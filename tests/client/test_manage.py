"""The maintainer API's coroutines against a live ``pypidesk serve`` with two users."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest

from pypidesk.client.errors import AuthenticationError, IndexHTTPError, NotFoundError
from pypidesk.client.manage import ManageAPI, days_until
from pypidesk.client.manage_types import (
    Collaborator,
    EventKind,
    ProjectRole,
    TokenStatus,
)
from tests.client.live_accounts import TwoUsers, upload
from tests.conftest import LiveServer
from tests.index.upload.dists import make_wheel


@pytest.fixture
def users(live_server: LiveServer) -> TwoUsers:
    return TwoUsers(live_server)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def test_create_list_and_revoke_a_project_scoped_token(
    users: TwoUsers, http: httpx.AsyncClient
) -> None:
    alice = ManageAPI(http, users.url + "/", users.alice)

    created = await alice.create_token(
        "ci for alpha", projects=["alpha"], permissions=["upload"], expires_in_days=30
    )

    assert created.secret.startswith("pypi-")
    assert created.secret not in repr(created)
    assert users.alice not in repr(alice)
    assert (created.info.name, created.info.projects) == ("ci for alpha", ("alpha",))
    assert created.info.permissions == ("upload",)
    assert created.info.expires_at is not None
    assert dt.timedelta(days=29) < created.info.expires_at - created.info.created
    listed = await alice.tokens()
    assert [t.name for t in listed] == ["ci for alpha", "laptop"]
    assert listed[0].status(dt.datetime.now(dt.UTC)) is TokenStatus.ACTIVE
    assert listed[0].status(created.info.expires_at) is TokenStatus.EXPIRED
    assert listed[1].status(dt.datetime.now(dt.UTC)) is TokenStatus.ACTIVE
    # The token uploads to its project only.
    assert upload(users.url, created.secret, make_wheel("alpha", "2.0")).status_code == 200
    assert upload(users.url, created.secret, make_wheel("beta", "2.0")).status_code == 403
    # The scoped token, and alice's sign-in token for her whole account.
    assert [t.name for t in await alice.project_tokens("alpha")] == ["ci for alpha", "laptop"]
    assert (await alice.tokens())[0].last_used is not None

    with pytest.raises(IndexHTTPError) as taken:
        await alice.create_token("ci for alpha")
    assert taken.value.status_code == 409
    assert taken.value.message == "You already have a token named 'ci for alpha'."

    await alice.revoke_token(created.info.id)
    assert [t.name for t in await alice.tokens()] == ["laptop"]
    assert upload(users.url, created.secret, make_wheel("alpha", "3.0")).status_code == 403
    with pytest.raises(NotFoundError):
        await alice.revoke_token(created.info.id)

    # An Owner revokes any token scoped to their project.
    beta = await alice.create_token("beta only", projects=["beta"])
    await alice.revoke_project_token("beta", beta.info.id)
    assert [t.name for t in await alice.project_tokens("beta")] == ["laptop"]


async def test_invite_decline_accept_and_manage_collaborators(
    users: TwoUsers, http: httpx.AsyncClient
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    bob = ManageAPI(http, users.url, users.bob)

    sent = await alice.invite("alpha", "bob", "Maintainer")
    assert (sent.project, sent.username, sent.role, sent.inviter) == (
        "alpha",
        "bob",
        "Maintainer",
        "alice",
    )
    assert sent.expires_at > sent.created
    mine = await bob.invitations()
    assert [(i.project, i.role, i.inviter) for i in mine] == [("alpha", "Maintainer", "alice")]
    listing = await alice.collaborators("alpha")
    assert listing.roles == (Collaborator("alice", "Owner"),)
    assert [i.username for i in listing.invitations] == ["bob"]

    await bob.decline_invitation("alpha")
    assert await bob.invitations() == []
    await alice.invite("alpha", "bob", "Maintainer", expires_in_hours=1)
    await alice.revoke_invitation("alpha", "bob")
    assert await bob.invitations() == []
    await alice.invite("alpha", "bob", "Maintainer")
    assert await bob.accept_invitation("alpha") == ProjectRole("alpha", "Maintainer")
    assert await bob.my_projects() == [ProjectRole("alpha", "Maintainer")]

    assert await alice.change_role("alpha", "bob", "Owner") == Collaborator("bob", "Owner")
    await alice.remove_collaborator("alpha", "bob")
    assert (await alice.collaborators("alpha")).roles == (Collaborator("alice", "Owner"),)
    with pytest.raises(AuthenticationError) as refused:
        await bob.collaborators("alpha")
    assert refused.value.status_code == 403


async def test_yank_unyank_and_delete(users: TwoUsers, http: httpx.AsyncClient) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    assert upload(users.url, users.alice, make_wheel("alpha", "2.0")).status_code == 200

    plain = await alice.yank("alpha", "1.0")
    assert (plain.yanked, plain.yanked_reason) == (True, "")
    assert plain.yanked_at is not None
    unyanked = await alice.unyank("alpha", "1.0")
    assert (unyanked.yanked, unyanked.yanked_at) == (False, None)
    reasoned = await alice.yank("alpha", "1.0", "broken wheel")
    assert reasoned.yanked_reason == "broken wheel"

    await alice.delete_file("alpha", "alpha-2.0-py3-none-any.whl")
    await alice.delete_release("alpha", "2.0")
    await alice.delete_project("beta")
    assert [p.project for p in await alice.my_projects()] == ["alpha"]
    with pytest.raises(NotFoundError) as missing:
        await alice.delete_release("alpha", "9.9")
    assert "9.9" in missing.value.message


async def test_history_comes_page_by_page_newest_first(
    users: TwoUsers, http: httpx.AsyncClient
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    await alice.yank("alpha", "1.0", "oops")

    first = await alice.account_history(limit=2)
    assert len(first.events) == 2
    assert first.next_before is not None
    rest = await alice.account_history(before=first.next_before, limit=500)
    events = [*first.events, *rest.events]
    assert rest.next_before is None
    assert [e.id for e in events] == sorted((e.id for e in events), reverse=True)
    yank = events[0]
    assert yank.tag == "project:release:yank"
    assert yank.kinds == {EventKind.YANK, EventKind.TOKEN}
    assert yank.token_name == "laptop"
    assert yank.project == "alpha"
    tags = {e.tag for e in events}
    assert {"project:file:add", "account:login:success"} <= tags

    project = await alice.project_history("alpha", limit=1)
    assert project.events[0].tag == "project:release:yank"
    assert project.next_before is not None
    older = await alice.project_history("alpha", before=project.next_before)
    assert all(e.project == "alpha" for e in older.events)

    # A wrong token is refused with the server's words.
    with pytest.raises(AuthenticationError) as refused:
        await ManageAPI(http, users.url, "pypi-not-a-token").tokens()
    assert refused.value.status_code == 401
    assert refused.value.message


def test_days_until_a_date_is_at_least_one_and_at_most_ten_years() -> None:
    today = dt.date(2026, 1, 1)
    assert days_until(dt.date(2026, 1, 31), today) == 30
    assert days_until(today, today) == 1
    assert days_until(dt.date(2040, 1, 1), today) == 3650
