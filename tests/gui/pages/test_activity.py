"""The Activity page: newest first, page by page, filtered by kind and text, sorted by column."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from pypidesk.client.manage import ManageAPI
from pypidesk.client.profiles import PYPI, Profile
from pypidesk.gui.pages import activity
from pypidesk.gui.pages.activity import ActivityPage
from pypidesk.gui.pages.managed_page import PageState
from pypidesk.gui.signals import next_emission
from tests.client.live_accounts import TwoUsers
from tests.gui.manage_fixtures import assert_accessible, context


def column(page: ActivityPage, number: int) -> list[str]:
    return [page.model.index(r, number).data() for r in range(page.model.rowCount())]


async def test_history_loads_page_by_page_and_filters(
    qtbot: QtBot, users: TwoUsers, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    await alice.yank("alpha", "1.0", "bad build")
    await alice.invite("beta", "bob", "Maintainer")
    monkeypatch.setattr(activity, "PAGE_SIZE", 3)
    page = ActivityPage()
    qtbot.addWidget(page)

    await page.show_context(context(http, users.url, users.alice, "alice"))

    assert page.state is PageState.LOADED
    assert column(page, 1) == ["Invitation sent", "Release yanked", "File uploaded"]
    assert column(page, 2) == ["beta", "alpha", "beta"]
    assert column(page, 3)[1] == "1.0 · bad build"
    assert column(page, 4)[1] == "laptop"
    assert column(page, 5)[1] == "127.0.0.1"
    assert page.shown_label.text() == "3 events loaded"
    assert not page.more_button.isHidden()
    assert_accessible(page)

    while not page.more_button.isHidden():
        grown = next_emission(page.model.modelReset)
        page.more_button.click()
        await asyncio.wait_for(grown, 30)
    events = page.model.total
    assert events > 3
    assert {"Signed in", "Token created", "Project created"} <= set(column(page, 1))
    times = [page.model.row_at(r).id for r in range(events)]
    assert times == sorted(times, reverse=True)  # still newest first

    page.kind_filter.setCurrentIndex(page.kind_filter.findText("Yanks"))
    assert column(page, 1) == ["Release yanked"]
    assert page.shown_label.text() == f"1 shown of {events} events loaded"
    page.kind_filter.setCurrentIndex(page.kind_filter.findText("Uploads"))
    assert set(column(page, 1)) == {"File uploaded", "Release added", "Project created"}
    page.kind_filter.setCurrentIndex(0)
    filtered = next_emission(page.filter_field.filter_changed)
    page.filter_field.setText("ALPHA")
    await asyncio.wait_for(filtered, 5)
    assert set(column(page, 2)) == {"alpha"}

    page.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    whats = column(page, 1)
    assert whats == sorted(whats)
    page.view.selectRow(0)
    page.view.copy_action.trigger()
    assert QGuiApplication.clipboard().text().split("\t")[1] == whats[0]


async def test_older_events_that_fail_to_load_keep_what_is_shown(
    qtbot: QtBot, users: TwoUsers, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(activity, "PAGE_SIZE", 1)
    page = ActivityPage()
    qtbot.addWidget(page)
    await page.show_context(context(http, users.url, users.alice, "alice"))
    shown = column(page, 1)
    await ManageAPI(http, users.url, users.alice).revoke_token(
        (await ManageAPI(http, users.url, users.alice).tokens())[0].id
    )
    await page.load_more()
    assert page.banner.text().startswith("Couldn't load older events: ")
    assert column(page, 1) == shown
    assert page.more_button.isEnabled()
    # A switch while older events load: they are dropped.
    await page.show_context(None)
    await page.load_more()
    assert page.model.total == 1


async def test_empty_and_no_api_states(
    qtbot: QtBot, http: httpx.AsyncClient, static_server: tuple[str, Path]
) -> None:
    url, root = static_server
    opened: list[QUrl] = []
    page = ActivityPage(open_url=opened.append)
    qtbot.addWidget(page)
    await page.show_context(context(http, PYPI, "pypi-x", "alice"))
    assert page.message.heading.text() == "PyPI shows your activity on its website"
    page.message.button.click()
    assert opened == [QUrl("https://pypi.org/manage/account/")]
    await page.show_context(
        context(http, Profile("team", url + "/simple/", url + "/"), "pypi-x", "alice")
    )
    assert page.message.heading.text() == "team keeps no activity pypidesk can show"

    (root / "api" / "v1" / "account").mkdir(parents=True)
    (root / "api" / "v1" / "flags").write_text('{"flags": {}}')
    (root / "api" / "v1" / "account" / "history").write_text('{"events": [], "next_before": null}')
    await page.show_context(context(http, url, "pypi-x", "alice"))
    assert page.state is PageState.EMPTY
    assert page.message.heading.text() == "No activity yet"
