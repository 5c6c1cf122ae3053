"""A project's Tokens and Activity tabs, and every management action on indexes without the API."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt

from pypidesk.client.errors import IndexHTTPError
from pypidesk.client.local_index import find_free_port
from pypidesk.client.manage import ManageAPI
from pypidesk.client.models import DistFile, FileKind, ProjectDetail, ReleaseInfo
from pypidesk.client.profiles import PYPI, Profile
from pypidesk.gui.dialogs.confirm_dialog import ConfirmDialog
from pypidesk.gui.dialogs.invite_dialog import InviteDialog
from pypidesk.gui.pages import project_activity, project_detail
from pypidesk.gui.pages.managed_page import PageState
from pypidesk.gui.pages.project_detail import ProjectDetailPane
from pypidesk.gui.pages.projects import ProjectsPage
from tests.client.live_accounts import TwoUsers
from tests.client.live_indexes import PypiServer
from tests.gui.manage_fixtures import Dialogs, assert_accessible, context
from tests.gui.pages.project_helpers import cells, open_project, page, select

__all__ = ["page"]


async def test_an_owner_sees_and_revokes_every_token_that_can_upload(
    page: ProjectsPage, users: TwoUsers, http: httpx.AsyncClient, dialogs: Dialogs
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    bob = ManageAPI(http, users.url, users.bob)
    await alice.create_token("alpha ci", projects=["alpha"], expires_in_days=90)
    await alice.create_token("beta ci", projects=["beta"])
    await page.show_context(context(http, users.url, users.alice, "alice"))
    await open_project(page, "alpha", ProjectDetailPane.TOKENS_TAB)
    tab = page.detail.tokens_tab
    assert tab.state is PageState.LOADED
    rows = {row[0]: row for row in cells(tab.view)}
    assert set(rows) == {"alpha ci", "laptop"}
    assert rows["alpha ci"][1:4] == ["alice", "alpha", "upload"]
    assert rows["laptop"][2] == "Whole account"
    assert rows["laptop"][7] == "Active"
    # The exact times in the tooltips; nothing where there is no time.
    model = tab.model
    never = next(r for r in range(model.rowCount()) if model.row_at(r).name == "alpha ci")
    assert model.index(never, 5).data(Qt.ItemDataRole.ToolTipRole) == ""
    assert model.index(never, 6).data(Qt.ItemDataRole.ToolTipRole) != ""
    expires = model.row_at(never).expires_at
    assert expires is not None
    tab._now = expires + dt.timedelta(days=1)  # as the table would read in three months
    assert model.index(never, 7).data() == "Expired"
    assert not tab.revoke_button.isEnabled()
    assert_accessible(tab)

    select(tab.view, 0, "alpha ci")
    tab.revoke_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    confirm.field.setText("alpha ci")
    confirm.confirm_button.click()
    await page.wait_idle()
    assert [row[0] for row in cells(tab.view)] == ["laptop"]
    assert {t.name for t in await alice.tokens()} == {"beta ci", "laptop"}

    # Revoked elsewhere meanwhile: the index's words above the list.
    select(tab.view, 0, "laptop")
    tab.revoke_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    confirm.cancel_button.click()
    await page.wait_idle()
    laptop = next(t for t in await alice.tokens() if t.name == "laptop")
    other = await alice.create_token("other", permissions=["manage"])
    await ManageAPI(http, users.url, other.secret).revoke_token(laptop.id)
    tab.revoke_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    confirm.field.setText("laptop")
    confirm.confirm_button.click()
    await page.wait_idle()
    assert tab.banner.text().startswith("Couldn't revoke the token “laptop”: ")

    # bob, a Maintainer of alpha, is told why he sees no tokens.
    await ManageAPI(http, users.url, other.secret).invite("alpha", "bob", "Maintainer")
    await bob.accept_invitation("alpha")
    await page.show_context(context(http, users.url, users.bob, "bob"))
    await open_project(page, "alpha", ProjectDetailPane.TOKENS_TAB)
    assert tab.state is PageState.EMPTY
    assert tab.message.heading.text() == "Only Owners see a project's tokens"


async def test_no_token_can_upload_and_the_history_comes_page_by_page(
    page: ProjectsPage,
    users: TwoUsers,
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    monkeypatch.setattr(project_activity, "PAGE_SIZE", 2)
    await alice.yank("alpha", "1.0", "oops")
    await page.show_context(context(http, users.url, users.alice, "alice"))
    await open_project(page, "alpha", ProjectDetailPane.ACTIVITY_TAB)
    tab = page.detail.activity_tab
    history = tab.history
    assert cells(history.view)[0][1] == "Release yanked"
    assert history.shown_label.text() == "2 events loaded"
    while not history.more_button.isHidden():
        history.more_button.click()
        await page.wait_idle()
    whats = [row[1] for row in cells(history.view)]
    assert whats[-1] == "Project created"
    history.kind_filter.setCurrentIndex(history.kind_filter.findText("Yanks"))
    assert [row[1] for row in cells(history.view)] == ["Release yanked"]

    # Refused while loading older events: the list stays, the banner says why.
    history.show_first(await alice.project_history("alpha", limit=1))
    await alice.revoke_token((await alice.tokens())[0].id)
    await tab.load_more()
    assert tab.banner.text().startswith("Couldn't load older events: ")
    # The project changed while older events loaded: they are dropped.
    tab.set_project("beta")
    await tab.load_more()
    tab.set_project(None)
    await tab.load_more()

    # A token the index refuses now: the tab says so, with Retry.
    await tab.load()
    assert tab.state is PageState.NO_INDEX
    tab.set_project("alpha")
    await tab.load()
    assert tab.state is PageState.ERROR
    assert tab.message.button.text() == "Retry"
    tab.message.button.click()
    await page.wait_idle()
    assert tab.state is PageState.ERROR


async def test_empty_tokens_and_a_signed_out_or_unreachable_index(
    page: ProjectsPage, users: TwoUsers, http: httpx.AsyncClient, dialogs: Dialogs
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    # A token that may manage but not upload: no token at all can upload to alpha.
    other = await alice.create_token("other", permissions=["manage"])
    await alice.revoke_token((await alice.tokens())[-1].id)  # "laptop", the oldest
    await page.show_context(context(http, users.url, other.secret, "alice"))
    await open_project(page, "alpha", ProjectDetailPane.TOKENS_TAB)
    tab = page.detail.tokens_tab
    assert tab.state is PageState.EMPTY
    assert tab.message.heading.text() == "No token can upload to alpha"

    # Signed out: every tab says how to sign in; the buttons say it too.
    await page.show_context(context(http, users.url))
    await open_project(page, "alpha", ProjectDetailPane.COLLABORATORS_TAB)
    detail = page.detail
    for tab_ in detail.manage_tabs:
        detail.tabs.setCurrentWidget(tab_)
        await page.wait_idle()
        assert tab_.state is PageState.SIGNED_OUT
        assert tab_.message.body.text().startswith("Sign in to Local test index from the toolbar")
    detail.tabs.setCurrentIndex(ProjectDetailPane.RELEASES_TAB)
    detail.delete_project_button.click()
    await page.wait_idle()
    assert detail.notice.text() == "Sign in to Local test index from the toolbar first."
    assert dialogs.queue.empty()

    # The index stops answering: the action says so; a tab shows the error with Retry.
    gone = f"http://127.0.0.1:{find_free_port()}"
    pane = ProjectDetailPane()
    pane.set_context(context(http, gone, "pypi-x", "alice"))
    pane.show_detail(_demo(), "")
    await pane.release_actions.delete_project("demo")
    assert pane.notice.text().startswith("Couldn't reach the index: ")
    await pane.find_api()
    assert pane.has_api is None
    tab = pane.collaborators_tab
    await tab.load()
    assert tab.state is PageState.ERROR
    assert tab.message.heading.text() == "Couldn't load this tab"
    pane.deleteLater()


def _demo() -> ProjectDetail:
    wheel = DistFile(
        filename="demo-1.0-py3-none-any.whl",
        url="https://files.example/demo-1.0-py3-none-any.whl",
        kind=FileKind.WHEEL,
        python_tag="py3",
        size=10,
        upload_time=None,
        sha256=None,
    )
    return ProjectDetail("demo", (ReleaseInfo("1.0", (wheel,), yanked=False),))


async def test_on_pypi_each_action_opens_its_page_and_says_why(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, qtbot: object
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(project_detail, "open_url", lambda url: opened.append(url.toString()))
    pane = ProjectDetailPane()
    pane.set_context(context(http, PYPI, "pypi-x", "alice"))
    pane.show_detail(_demo(), "")
    await pane.find_api()
    assert pane.has_api is False
    assert pane.notice.text() == (
        "PyPI has no API for yanking or deleting: those buttons open its own pages in your "
        "browser."
    )
    pane.releases_view.select_row(0)
    pane.files_view.select_row(0)
    for action in (
        pane.release_actions.yank_or_unyank("demo", pane.detail.releases[0]),
        pane.release_actions.delete_release("demo", pane.detail.releases[0]),
        pane.release_actions.delete_file("demo", pane.detail.releases[0].files[0], "1.0"),
        pane.release_actions.delete_project("demo"),
    ):
        await action
    assert opened == [
        "https://pypi.org/manage/project/demo/release/1.0/",
        "https://pypi.org/manage/project/demo/release/1.0/",
        "https://pypi.org/manage/project/demo/release/1.0/",
        "https://pypi.org/manage/project/demo/settings/",
    ]
    assert pane.notice.text().startswith("PyPI has no API to delete a project, so its own page")

    expected = {
        pane.collaborators_tab: (
            "PyPI manages collaborators on its website",
            "https://pypi.org/manage/project/demo/collaboration/",
        ),
        pane.tokens_tab: (
            "PyPI lists no tokens per project",
            "https://pypi.org/manage/project/demo/settings/",
        ),
        pane.activity_tab: (
            "PyPI shows a project's history on its website",
            "https://pypi.org/manage/project/demo/history/",
        ),
    }
    for tab, (heading, url) in expected.items():
        pane.tabs.setCurrentWidget(tab)
        await tab.load()
        assert tab.state is PageState.NO_API
        assert tab.message.heading.text() == heading
        tab.message.button.click()
        assert opened[-1] == url
    assert_accessible(pane)
    pane.deleteLater()


async def test_on_pypiserver_the_buttons_are_off_and_say_why(
    http: httpx.AsyncClient, pypiserver_index: PypiServer, tmp_path: Path
) -> None:
    pane = ProjectDetailPane()
    profile = Profile("Team index", pypiserver_index.url + "/simple/", pypiserver_index.url)
    pane.set_context(context(http, profile, "pypi-x", "alice"))
    pane.show_detail(_demo(), "")
    await pane.find_api()
    pane.releases_view.select_row(0)
    assert not pane.yank_button.isEnabled()
    assert pane.yank_button.toolTip() == "Team index has no way to yank or delete from outside."
    await pane.release_actions.delete_project("demo")
    assert pane.notice.text().startswith("Team index can't delete a project from outside")
    for tab in pane.manage_tabs:
        await tab.load()
        assert tab.state is PageState.NO_API
        assert tab.message.button.isHidden()
    assert pane.collaborators_tab.message.heading.text() == (
        "Team index has no collaborators to manage"
    )
    assert pane.tokens_tab.message.heading.text() == "Team index has no tokens to list"
    assert pane.activity_tab.message.heading.text() == (
        "Team index keeps no history pypidesk can show"
    )
    # A switch of index while the API is asked: the old answer is not kept.
    pane.set_context(context(http, profile))
    asking = asyncio.ensure_future(pane.find_api())
    await asyncio.sleep(0)
    pane.set_context(None)
    await asking
    assert pane.has_api is None
    assert pane.access.web_page(pane.collaborators_tab.web_page_kind, "demo") is None
    await pane.collaborators_tab.load()
    assert pane.collaborators_tab.state is PageState.NO_INDEX
    pane.deleteLater()


async def test_answers_for_another_project_are_dropped_and_cancels_change_nothing(
    page: ProjectsPage, users: TwoUsers, http: httpx.AsyncClient, dialogs: Dialogs
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    await alice.invite("alpha", "bob", "Maintainer")
    await page.show_context(context(http, users.url, users.alice, "alice"))
    await open_project(page, "alpha", ProjectDetailPane.COLLABORATORS_TAB)
    tab = page.detail.collaborators_tab

    # Cancelled invitation and revocation: nothing sent.
    tab.invite_button.click()
    invite = await dialogs.next(InviteDialog)
    invite.reject()
    select(tab.invitations_view, 0, "bob")
    tab.revoke_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    confirm.cancel_button.click()
    await page.wait_idle()
    assert [i.username for i in (await alice.collaborators("alpha")).invitations] == ["bob"]

    # A load overtaken by another project's: its answer is dropped.
    loading = asyncio.ensure_future(tab.load())
    await asyncio.sleep(0)
    tab.set_project("beta")
    await loading
    assert tab.stale
    # Also while the index is asked about its API.
    page.detail.access.set_context(page.detail.access.context)
    loading = asyncio.ensure_future(tab.load())
    await asyncio.sleep(0)
    tab.set_project("alpha")
    await loading
    assert tab.stale

    # Refused: the list stays, the banner says why.
    await tab.load()
    select(tab.members_view, 0, "alice (you)")
    select(tab.invitations_view, 0, "bob")
    await alice.revoke_invitation("alpha", "bob")
    tab.revoke_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    confirm.field.setText("bob")
    confirm.confirm_button.click()
    await page.wait_idle()
    assert tab.banner.text().startswith("Couldn't revoke the invitation of bob: ")
    await alice.invite("alpha", "bob", "Maintainer")
    await ManageAPI(http, users.url, users.bob).accept_invitation("alpha")
    await tab.load()
    select(tab.members_view, 0, "bob")
    await alice.remove_collaborator("alpha", "bob")
    await tab.toggle_role()
    assert tab.banner.text().startswith("Couldn't change the role of bob: ")

    # An error that arrives after the project changed is not shown.
    gone = f"http://127.0.0.1:{find_free_port()}"
    tab.access.set_context(context(http, gone, "pypi-x", "alice"))
    loading = asyncio.ensure_future(tab.load())
    await asyncio.sleep(0)
    tab.set_project("beta")
    await loading
    assert tab.state is not PageState.ERROR
    page.detail.access.set_context(context(http, users.url, users.alice, "alice"))

    # With nothing to act on, the actions do nothing.
    tab.api = None
    await tab.invite()
    await tab.toggle_role()
    await tab.remove_selected()
    await tab.revoke_selected()
    await page.detail.tokens_tab.revoke_selected()
    assert dialogs.queue.empty()

    # The server's "not yourself" rule, should it be reached, is explained too.
    said = tab.explain_refusal(
        "Couldn't change the role of alice",
        IndexHTTPError(users.url, 409, "Cannot remove yourself as Owner"),
    )
    assert said.startswith("You can't change your own role")
    assert said.endswith("(The index said: Cannot remove yourself as Owner)")

    # An Owner whose token the index refuses sees the error, not "only Owners".
    tokens = page.detail.tokens_tab
    await alice.revoke_token((await alice.tokens())[0].id)
    tokens.set_project("alpha")
    await tokens.load()
    assert tokens.state is PageState.ERROR


async def test_a_project_without_history_says_what_fills_it(
    qtbot: object, http: httpx.AsyncClient, static_server: tuple[str, Path]
) -> None:
    url, root = static_server
    (root / "api" / "v1" / "projects" / "demo").mkdir(parents=True)
    (root / "api" / "v1" / "flags").write_text('{"flags": {}}')
    (root / "api" / "v1" / "projects" / "demo" / "history").write_text(
        '{"events": [], "next_before": null}'
    )
    pane = ProjectDetailPane()
    pane.set_context(context(http, url, "pypi-x", "alice"))
    pane.show_detail(_demo(), "")
    tab = pane.activity_tab
    await tab.load()
    assert tab.state is PageState.EMPTY
    assert tab.message.heading.text() == "No activity yet"
    # No index at all: the API is not asked.
    pane.set_context(None)
    assert not await pane.access.has_api()
    assert pane.access.api() is None
    assert pane.access.index_name == ""
    assert pane.access.username is None
    # With nothing selected, the buttons' slots do nothing.
    pane.detail = None
    pane._yank()
    pane._delete_release()
    pane._delete_file()
    pane._delete_project()
    pane.deleteLater()
