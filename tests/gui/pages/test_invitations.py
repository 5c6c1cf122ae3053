"""The Invitations page: alice invites bob through the client, bob answers on the page."""

from __future__ import annotations

import asyncio

import httpx
from PySide6.QtCore import QItemSelectionModel, QUrl
from pytestqt.qtbot import QtBot

from pypidesk.client.manage import ManageAPI
from pypidesk.client.manage_types import ProjectRole
from pypidesk.client.profiles import TESTPYPI
from pypidesk.gui.pages.invitations import InvitationsPage
from pypidesk.gui.pages.managed_page import PageState
from pypidesk.gui.signals import next_emission
from tests.client.live_accounts import TwoUsers
from tests.gui.manage_fixtures import assert_accessible, context


def select(page: InvitationsPage, project: str) -> None:
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).project == project)
    page.view.selectionModel().select(
        page.model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


async def test_bob_accepts_one_invitation_and_declines_another(
    qtbot: QtBot, users: TwoUsers, http: httpx.AsyncClient
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    bob = ManageAPI(http, users.url, users.bob)
    await alice.invite("alpha", "bob", "Maintainer")
    await alice.invite("beta", "bob", "Owner")
    page = InvitationsPage()
    qtbot.addWidget(page)
    counts: list[int] = []
    page.count_changed.connect(counts.append)

    await page.show_context(context(http, users.url, users.bob, "bob"))

    assert page.state is PageState.LOADED
    assert counts == [2]
    model = page.model
    rows = [[model.index(r, c).data() for c in range(5)] for r in range(2)]
    assert [row[:3] for row in rows] == [
        ["alpha", "Maintainer", "alice"],
        ["beta", "Owner", "alice"],
    ]
    assert rows[0][3] == "just now"
    assert rows[0][4] == "in 5 hours"  # six hours, rounded down
    assert model.index(0, 4).data(0x03) is not None  # the exact time in the tooltip
    assert not page.accept_button.isEnabled()
    assert_accessible(page)

    select(page, "alpha")
    assert page.accept_button.isEnabled()
    answered = next_emission(page.count_changed)
    page.accept_button.click()
    assert await asyncio.wait_for(answered, 30) == (1,)
    assert await bob.my_projects() == [ProjectRole("alpha", "Maintainer")]

    select(page, "beta")
    answered = next_emission(page.count_changed)
    page.decline_button.click()
    assert await asyncio.wait_for(answered, 30) == (0,)
    assert page.state is PageState.EMPTY
    assert page.message.heading.text() == "No invitations"
    assert await bob.invitations() == []
    assert [r.project for r in await bob.my_projects()] == ["alpha"]


async def test_an_invitation_withdrawn_meanwhile_is_refused_with_the_servers_words(
    qtbot: QtBot, users: TwoUsers, http: httpx.AsyncClient
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    await alice.invite("alpha", "bob", "Maintainer")
    page = InvitationsPage()
    qtbot.addWidget(page)
    await page.show_context(context(http, users.url, users.bob, "bob"))
    await alice.revoke_invitation("alpha", "bob")

    for accept in (True, False):
        select(page, "alpha")
        await page.answer(accept=accept)
        assert not page.banner.isHidden()
        assert "the invitation to alpha: " in page.banner.text()
    assert page.state is PageState.LOADED
    # Nothing selected: nothing to answer.
    page.view.clearSelection()
    await page.answer(accept=True)


async def test_on_testpypi_the_projects_page_stands_in(
    qtbot: QtBot, http: httpx.AsyncClient
) -> None:
    opened: list[QUrl] = []
    page = InvitationsPage(open_url=opened.append)
    qtbot.addWidget(page)
    counts: list[int] = []
    page.count_changed.connect(counts.append)
    await page.show_context(context(http, TESTPYPI, "pypi-x", "alice"))
    assert page.state is PageState.NO_API
    assert page.message.heading.text() == "TestPyPI shows invitations on its website"
    page.message.button.click()
    assert opened == [QUrl("https://test.pypi.org/manage/projects/")]
    assert counts == [0]
