"""What each management page says when it cannot list anything, and details of its rows.

A static server stands in for indexes that answer in ways a live pypidesk
index would not (no API at all, an expired token, a missing route).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pypidesk.client.profiles import Profile
from pypidesk.gui.pages.activity import ActivityPage
from pypidesk.gui.pages.invitations import InvitationsPage
from pypidesk.gui.pages.managed_page import ManagedPage, PageState
from pypidesk.gui.pages.tokens import TokensPage
from tests.gui.manage_fixtures import assert_accessible, context

PAGES: list[tuple[type[ManagedPage], str, str]] = [
    (
        TokensPage,
        "team has no API tokens to manage here",
        "Sign in to Local test index from the toolbar to see and create your API tokens.",
    ),
    (
        InvitationsPage,
        "team has no invitations",
        "Sign in to Local test index from the toolbar to see invitations to you.",
    ),
    (
        ActivityPage,
        "team keeps no activity pypidesk can show",
        "Sign in to Local test index from the toolbar to see your account's activity.",
    ),
]


@pytest.mark.parametrize(("kind", "no_api", "signed_out"), PAGES)
async def test_signed_out_and_no_api_states(
    qtbot: QtBot,
    http: httpx.AsyncClient,
    static_server: tuple[str, Path],
    *,
    kind: type[ManagedPage],
    no_api: str,
    signed_out: str,
) -> None:
    url, root = static_server
    page = kind()
    qtbot.addWidget(page)
    _api(root, {})
    await page.show_context(context(http, url))
    assert page.state is PageState.SIGNED_OUT
    assert page.message.heading.text() == "Not signed in"
    assert page.message.body.text() == signed_out
    (root / "api" / "v1" / "flags").unlink()  # now an index without the API
    await page.show_context(
        context(http, Profile("team", url + "/simple/", url + "/"), "pypi-x", "alice")
    )
    assert page.state is PageState.NO_API
    assert page.message.heading.text() == no_api
    assert page.message.button.isHidden()
    assert_accessible(page)


def _api(root: Path, files: dict[str, object]) -> str:
    (root / "api" / "v1" / "account").mkdir(parents=True)
    (root / "api" / "v1" / "flags").write_text('{"flags": {}}')
    for name, body in files.items():
        (root / "api" / "v1" / name).write_text(json.dumps(body))
    return str(root)


async def test_an_expired_token_and_times_in_tooltips(
    qtbot: QtBot, http: httpx.AsyncClient, static_server: tuple[str, Path]
) -> None:
    url, root = static_server
    token = {
        "id": "t1",
        "name": "old ci",
        "username": "alice",
        "permissions": ["upload"],
        "projects": ["alpha", "beta"],
        "created": "2020-01-01T10:00:00Z",
        "last_used": None,
        "expires_at": "2020-02-01T10:00:00Z",
    }
    _api(root, {"account/tokens": [token]})
    page = TokensPage()
    qtbot.addWidget(page)
    statuses: list[str] = []
    page.status_message.connect(statuses.append)
    await page.show_context(context(http, url, "pypi-x", "alice"))

    model = page.model
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[1:] == ["alpha, beta", "upload", row[3], "never", row[5], "Expired"]
    assert row[3].endswith("years ago")
    assert model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole).startswith("2020-01-01")
    assert model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole) == ""
    assert statuses == ["1 token"]

    # New token needs my projects; a refusal there stops before the dialog.
    await page.new_token()
    assert page.banner.text() == "Couldn't list your projects: File not found"


async def test_an_event_explains_its_tag(
    qtbot: QtBot, http: httpx.AsyncClient, static_server: tuple[str, Path]
) -> None:
    url, root = static_server
    event = {
        "id": 7,
        "tag": "project:something:new",
        "time": "2026-01-01T10:00:00Z",
        "username": "alice",
        "project": "alpha",
        "ip_address": None,
        "token_name": None,
        "additional": {"version": "1.0", "reason": ""},
    }
    _api(root, {"account/history": {"events": [event], "next_before": None}})
    page = ActivityPage()
    qtbot.addWidget(page)
    await page.show_context(context(http, url, "pypi-x", "alice"))
    assert page.model.index(0, 1).data() == "project:something:new"  # no label known yet
    assert page.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == "project:something:new"
    assert page.model.index(0, 3).data() == "1.0"
    assert page.more_button.isHidden()
    await page.load_more()  # nothing older: nothing happens
    assert page.model.total == 1


async def test_wait_idle_waits_for_the_load_retry_started(qtbot: QtBot) -> None:
    from pypidesk.client.errors import IndexUnreachableError

    page = ActivityPage()
    qtbot.addWidget(page)
    page.show_error(IndexUnreachableError("http://x.test/", "refused"))
    assert page.state is PageState.ERROR
    page._retry()  # as the Retry button does: a task of the page's own
    assert page.state is PageState.ERROR  # not run yet
    await page.wait_idle()
    assert page.state is PageState.NO_INDEX  # the reload ran (no index to load from)
    assert page._tasks == set()
