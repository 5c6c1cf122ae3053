"""Parsing the maintainer API's answers: a changed or broken server fails at the boundary."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pypidesk.client.manage_types import (
    Collaborators,
    CreatedToken,
    EventKind,
    HistoryEvent,
    HistoryPage,
    Invitation,
    ProjectRole,
    ReleaseState,
    ResponseShapeError,
    TokenInfo,
    parse_list,
)


def token_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "t1",
        "name": "ci",
        "username": "alice",
        "permissions": ["upload"],
        "projects": [],
        "created": "2026-01-01T10:00:00+00:00",
        "last_used": None,
        "expires_at": None,
    }
    body.update(changes)
    return body


def event_body(tag: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": 3,
        "tag": tag,
        "time": "2026-01-01T10:00:00Z",
        "username": "alice",
        "project": None,
        "ip_address": None,
        "token_name": None,
        "additional": {},
    }
    body.update(changes)
    return body


def test_a_naive_time_is_read_as_utc() -> None:
    token = TokenInfo.parse(token_body(created="2026-01-01T10:00:00", last_used="2026-01-02"))
    assert token.created == dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC)
    assert token.last_used == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([], "expected an object, got list"),
        (token_body(name=None), "'name' is None"),
        (token_body(created="yesterday"), "'created' is not a time: 'yesterday'"),
        (token_body(projects=["a", 1]), "'projects' holds a non-string"),
    ],
)
def test_a_malformed_token_says_what_is_wrong(body: object, words: str) -> None:
    with pytest.raises(ResponseShapeError) as error:
        TokenInfo.parse(body)
    assert str(error.value) == f"The index sent an unexpected token: {words}."


def test_the_secret_of_a_new_token_is_kept_but_never_shown() -> None:
    created = CreatedToken.parse({**token_body(), "token": "pypi-secret"})
    assert (created.secret, created.replaced) == ("pypi-secret", False)
    assert "pypi-secret" not in repr(created)
    with pytest.raises(ResponseShapeError):
        CreatedToken.parse(token_body())


def test_lists_and_other_shapes() -> None:
    with pytest.raises(ResponseShapeError) as error:
        parse_list({}, "token list")
    assert "expected a list, got dict" in str(error.value)
    invitation = {
        "project": "alpha",
        "username": "bob",
        "role": "Owner",
        "inviter": None,
        "created": "2026-01-01T10:00:00Z",
        "expires_at": "2026-01-01T16:00:00Z",
    }
    assert Invitation.parse(invitation).inviter is None
    listing = Collaborators.parse(
        {"roles": [{"username": "alice", "role": "Owner"}], "invitations": [invitation]}
    )
    assert listing.invitations[0].project == "alpha"
    assert ProjectRole.parse({"project": "alpha", "role": "Owner"}).role == "Owner"
    state = ReleaseState.parse(
        {
            "project": "alpha",
            "version": "1",
            "yanked": False,
            "yanked_reason": "",
            "yanked_at": None,
        }
    )
    assert state.yanked_at is None
    page = HistoryPage.parse({"events": [], "next_before": None})
    assert page == HistoryPage((), None)


@pytest.mark.parametrize(
    ("tag", "token_name", "kinds"),
    [
        ("project:file:add", None, {EventKind.UPLOAD}),
        ("project:file:add", "ci", {EventKind.UPLOAD, EventKind.TOKEN}),
        ("account:api_token:added", None, {EventKind.TOKEN, EventKind.ACCOUNT}),
        ("project:role:invite", None, {EventKind.ROLE}),
        ("project:release:unyank", None, {EventKind.YANK}),
        ("project:remove", None, {EventKind.DELETION}),
        ("account:login:success", None, {EventKind.ACCOUNT}),
        ("something:new", None, set()),
    ],
)
def test_events_fall_into_the_activity_pages_groups(
    tag: str, token_name: str | None, kinds: set[EventKind]
) -> None:
    event = HistoryEvent.parse(event_body(tag, token_name=token_name, project=5))
    assert event.kinds == kinds
    assert event.project is None
