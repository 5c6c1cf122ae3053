"""The API tokens page against a live index: create a scoped token, upload with twine, revoke."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from pypidesk.client.local_index import find_free_port
from pypidesk.client.manage import ManageAPI
from pypidesk.client.profiles import PYPI, Profile
from pypidesk.gui.dialogs.confirm_dialog import ConfirmDialog
from pypidesk.gui.dialogs.new_token_dialog import NewTokenDialog
from pypidesk.gui.dialogs.token_secret_dialog import TokenSecretDialog
from pypidesk.gui.pages.managed_page import PageState
from pypidesk.gui.pages.tokens import TokensPage
from pypidesk.gui.signals import next_emission
from tests.client.live_accounts import TwoUsers
from tests.conftest import LiveServer
from tests.e2e.upload_helpers import twine, write_dists
from tests.gui.manage_fixtures import Dialogs, assert_accessible, context
from tests.index.upload.dists import make_wheel


def select_row(page: TokensPage, name: str) -> None:
    for row in range(page.model.rowCount()):
        if page.model.row_at(row).name == name:
            page.view.selectionModel().select(
                page.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            return
    raise AssertionError(f"no token {name!r} listed")


def cells(page: TokensPage) -> list[list[str]]:
    model = page.model
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


async def test_a_token_made_in_the_app_uploads_to_its_project_only_until_revoked(
    qtbot: QtBot,
    users: TwoUsers,
    http: httpx.AsyncClient,
    *,
    dialogs: Dialogs,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    saved: list[str] = []

    async def save_token(secret: str) -> None:
        saved.append(secret)

    page = TokensPage(save_token=save_token)
    qtbot.addWidget(page)
    await page.show_context(context(http, users.url, users.alice, "alice"))
    assert page.state is PageState.LOADED
    assert [row[0] for row in cells(page)] == ["laptop"]
    assert not page.revoke_button.isEnabled()

    creating = asyncio.ensure_future(page.new_token())
    form = await dialogs.next(NewTokenDialog)
    assert_accessible(form)
    assert [form.project_list.item(i).text() for i in range(2)] == ["alpha", "beta"]
    assert not form.create_button.isEnabled()  # no name, no project yet
    form.name_field.setText("alpha uploads")
    assert not form.create_button.isEnabled()
    form.project_list.item(0).setCheckState(Qt.CheckState.Checked)
    assert form.create_button.isEnabled()
    form.create_button.click()

    shown = await dialogs.next(TokenSecretDialog)
    assert_accessible(shown)
    secret = shown.secret_field.text()
    assert secret.startswith("pypi-")
    assert shown.secret_field.isReadOnly()
    shown.copy_button.click()
    assert QGuiApplication.clipboard().text() == secret
    await shown.save()
    assert saved == [secret]
    assert shown.outcome.text() == "Saved in the keyring for this profile."
    shown.findChild(type(shown.copy_button), "token_secret_close").click()
    await creating

    listed = {row[0]: row for row in cells(page)}
    assert listed["alpha uploads"][1:3] == ["alpha", "upload"]
    assert listed["alpha uploads"][5].startswith("in 2 months")  # 90 days by default
    assert listed["alpha uploads"][6] == "Active"
    assert listed["laptop"][1] == "All projects"

    files = write_dists(tmp_path / "dist", make_wheel("alpha", "2.0"))
    allowed = twine(users.url, files, home=tmp_path, password=secret)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    other = write_dists(tmp_path / "other", make_wheel("beta", "2.0"))
    refused = twine(users.url, other, home=tmp_path, password=secret)
    assert refused.returncode != 0
    assert "403" in refused.stdout + refused.stderr

    await page.refresh()
    select_row(page, "alpha uploads")
    assert page.revoke_button.isEnabled()
    page.revoke_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    assert_accessible(confirm)
    assert not confirm.confirm_button.isEnabled()
    confirm.field.setText("alpha")
    assert not confirm.confirm_button.isEnabled()
    reloaded = next_emission(page.model.modelReset)
    confirm.field.setText("alpha uploads")
    confirm.confirm_button.click()
    await asyncio.wait_for(reloaded, 30)
    assert [row[0] for row in cells(page)] == ["laptop"]

    after = write_dists(tmp_path / "after", make_wheel("alpha", "3.0"))
    revoked = twine(users.url, after, home=tmp_path, password=secret)
    assert revoked.returncode != 0
    assert "403" in revoked.stdout + revoked.stderr
    # The secret went to the clipboard and the keyring callback, never to a log.
    assert caplog.records
    assert [r.getMessage()[:300] for r in caplog.records if secret in r.getMessage()] == []
    assert secret not in caplog.text
    assert_accessible(page)


async def test_ctrl_n_opens_new_token_and_cancel_changes_nothing(
    qtbot: QtBot, users: TwoUsers, http: httpx.AsyncClient, dialogs: Dialogs
) -> None:
    page = TokensPage()
    qtbot.addWidget(page)
    page.show()
    await page.show_context(context(http, users.url, users.bob, "bob"))
    assert page.new_action.shortcut().toString() == "Ctrl+N"

    page.new_action.trigger()
    form = await dialogs.next(NewTokenDialog)
    # bob has no project: the whole account is the only scope.
    assert form.whole_account.isChecked()
    assert not form.some_projects.isEnabled()
    form.name_field.setText("unused")
    form.reject()
    assert [t.name for t in await ManageAPI(http, users.url, users.bob).tokens()] == ["laptop"]

    # A refusal is shown above the list, which stays.
    api = ManageAPI(http, users.url, users.bob)
    await api.create_token("taken")
    creating = asyncio.ensure_future(page.new_token())
    form = await dialogs.next(NewTokenDialog)
    form.name_field.setText("taken")
    form.create_button.click()
    await creating
    assert page.banner.isVisible()
    assert page.banner.text() == (
        "Couldn't create the token “taken”: You already have a token named 'taken'."
    )
    assert page.state is PageState.LOADED

    # Revoking asks first; cancelling keeps the token.
    await page.refresh()
    assert not page.banner.isVisible()
    select_row(page, "taken")
    revoking = asyncio.ensure_future(page.revoke_selected())
    confirm = await dialogs.next(ConfirmDialog)
    confirm.cancel_button.click()
    await revoking
    assert "taken" in [row[0] for row in cells(page)]
    # Revoked behind the page's back: the revoke is refused with the server's words.
    taken = next(t for t in await api.tokens() if t.name == "taken")
    await api.revoke_token(taken.id)
    revoking = asyncio.ensure_future(page.revoke_selected())
    confirm = await dialogs.next(ConfirmDialog)
    confirm.field.setText("taken")
    confirm.confirm_button.click()
    await revoking
    assert page.banner.text().startswith("Couldn't revoke the token “taken”: ")


async def test_states_without_an_index_a_sign_in_or_an_api(
    qtbot: QtBot, http: httpx.AsyncClient, live_server: LiveServer
) -> None:
    opened: list[QUrl] = []
    page = TokensPage(open_url=opened.append)
    qtbot.addWidget(page)
    assert page.state is PageState.NO_INDEX
    assert page.message.heading.text() == "No index yet"

    await page.show_context(context(http, live_server.url))
    assert page.state is PageState.SIGNED_OUT
    assert page.message.body.text() == (
        "Sign in to Local test index from the toolbar to see and create your API tokens."
    )
    assert page.message.button.isHidden()

    await page.show_context(context(http, PYPI, "pypi-x", "alice"))
    assert page.state is PageState.NO_API
    assert page.message.heading.text() == "PyPI manages tokens on its website"
    assert page.message.button.text() == "Open PyPI's token page"
    page.message.button.click()
    assert opened == [QUrl("https://pypi.org/manage/account/token/")]

    await page.show_context(None)
    assert page.state is PageState.NO_INDEX
    assert_accessible(page)


async def test_an_index_without_the_api_and_one_that_refuses(
    qtbot: QtBot, http: httpx.AsyncClient, static_server: tuple[str, Path], live_server: LiveServer
) -> None:
    url, root = static_server
    page = TokensPage()
    qtbot.addWidget(page)
    busy: list[bool] = []
    page.busy_changed.connect(busy.append)

    await page.show_context(
        context(http, Profile("team", url + "/simple/", url + "/"), "pypi-x", "alice")
    )
    assert page.state is PageState.NO_API
    assert page.message.heading.text() == "team has no API tokens to manage here"
    assert page.message.button.isHidden()
    assert busy == [True, False]

    # An index that answers the API but not this call: the error is the page's state.
    (root / "api" / "v1" / "account").mkdir(parents=True)
    (root / "api" / "v1" / "flags").write_text('{"flags": {}}')
    await page.show_context(context(http, url, "pypi-x", "alice"))
    assert page.state is PageState.ERROR
    assert page.message.heading.text() == "Couldn't load this page"
    assert page.message.body.text() == "File not found"
    assert page.message.button.text() == "Retry"

    # Retry, once the answer is there: no token yet is the teaching empty state.
    (root / "api" / "v1" / "account" / "tokens").write_text("[]")
    loaded = next_emission(page.busy_changed)
    page.message.button.click()
    assert await loaded == (True,)
    while page.state is PageState.ERROR:
        await next_emission(page.busy_changed)
    assert page.state is PageState.EMPTY
    assert page.message.heading.text() == "No API tokens yet"
    assert "password for tools" in page.message.body.text()
    assert page.message.button.text() == "New token…"

    # A token the index no longer accepts: sign in again.
    await page.show_context(context(http, live_server.url, "pypi-revoked", "alice"))
    assert page.state is PageState.ERROR
    assert page.message.heading.text() == "Your sign-in is no longer accepted"
    assert page.message.body.text().startswith("Sign in again from the toolbar. The index said: ")

    # No answer at all.
    gone = f"http://127.0.0.1:{find_free_port()}"
    await page.show_context(context(http, gone, "pypi-x", "alice"))
    assert page.state is PageState.ERROR
    assert page.message.body.text().startswith(f"Could not reach the index at {gone}/")


async def test_a_switch_while_loading_shows_only_the_newest_context(
    qtbot: QtBot, users: TwoUsers, http: httpx.AsyncClient
) -> None:
    page = TokensPage()
    qtbot.addWidget(page)
    await page.show_context(context(http, users.url, users.alice, "alice"))
    # Two loads race; the first one's answer arrives after the second started.
    first = asyncio.ensure_future(page.refresh())
    await asyncio.sleep(0)
    await page.show_context(None)
    await first
    assert page.state is PageState.NO_INDEX
    # Also when the switch lands during the API discovery.
    first = asyncio.ensure_future(page.show_context(context(http, users.url, users.bob, "bob")))
    await asyncio.sleep(0)
    await page.show_context(None)
    await first
    assert page.state is PageState.NO_INDEX
    # And an error of a stale load is not shown either.
    gone = f"http://127.0.0.1:{find_free_port()}"
    first = asyncio.ensure_future(page.show_context(context(http, gone, "pypi-x", "bob")))
    await asyncio.sleep(0)
    await page.show_context(None)
    await first
    assert page.state is PageState.NO_INDEX
    # Actions need a loaded page.
    await page.new_token()
    await page.revoke_selected()
