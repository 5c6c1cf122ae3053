"""The frame: profiles, reachability and Retry, sign-in and sign-out, F5, Help, geometry."""

from __future__ import annotations

import functools
import http.server
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from pypidesk.client.credentials import CredentialStore, service_name
from pypidesk.client.errors import AuthenticationError
from pypidesk.client.local_index import find_free_port
from pypidesk.client.maintainer_api import whoami
from pypidesk.client.profiles import Profile, ProfileKind
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.dialogs.about import AboutDialog
from pypidesk.gui.dialogs.sign_in import SignInDialog
from pypidesk.gui.local_index import IndexState, LocalIndexController, LocalIndexStatus
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.session import Reachability, Session
from tests.conftest import LiveServer
from tests.gui.frame_helpers import (
    dialog_of,
    dialog_open,
    make_window,
    release,
    settle,
    show_profile,
    until,
)
from tests.live_accounts import create_user
from tests.memory_keyring import MemoryKeyring

TOKEN = "pypi-" + "AgEIcHlwaS5vcmcCJGFiY2RlZmFiLTEyMzQtNTY3OC05YWJjLWRlZjAxMjM0NTY3OAAABiA"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """Everything logged during the test, in a file as the app writes it."""
    path = tmp_path / "app.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass


def serve_static(root: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """An index without the maintainer API (a directory served as it is), in a thread."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def plain_index(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "static" / "simple").mkdir(parents=True)
    server = serve_static(tmp_path / "static")
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def custom(name: str, url: str) -> Profile:
    return Profile(name, url + "/simple/", url + "/legacy/")


async def test_sign_in_keeps_only_the_token_in_the_keyring_and_sign_out_revokes_it(
    window: MainWindow,
    live_server: LiveServer,
    memory_keyring: MemoryKeyring,
    app_settings: AppSettings,
    log_file: Path,
) -> None:
    password = create_user(live_server.data_dir)
    profile = custom("Team index", live_server.url)
    seen: list[IndexContext | None] = []

    async def record(context: IndexContext | None) -> None:
        seen.append(context)

    window.pages[0].show_context = record  # type: ignore[method-assign]
    await show_profile(window, profile)
    assert window.session.state.reachability is Reachability.REACHABLE
    assert window.session.state.has_maintainer_api
    assert window.user_label.text() == "Not signed in"
    assert window.sign_in_button.text() == "Sign in…"
    assert window.windowTitle() == "Team index — pypidesk"

    window.sign_in_button.click()
    dialog = await dialog_of(SignInDialog)
    assert dialog.secret.accessibleName() == "Password"
    dialog.username.setText("alice")
    dialog.secret.setText(password)
    dialog.ok_button.click()
    await until(lambda: window.user_label.text() == "alice")
    assert not dialog_open(SignInDialog)
    assert window.sign_in_button.text() == "Sign out"

    (((service, username), token),) = memory_keyring.entries.items()
    assert (service, username) == (service_name(profile.key), "alice")
    assert token.startswith("pypi-")
    await window.wait_for_pages()
    assert seen[-1] is not None
    assert (seen[-1].username, seen[-1].token) == ("alice", token)
    app_settings.sync()
    for text in (read(Path(app_settings.file_name)), read(log_file)):
        assert token not in text
        assert password not in text
        assert token.removeprefix("pypi-")[:20] not in text
    assert "alice" in read(Path(app_settings.file_name))

    window.sign_in_button.click()
    await until(lambda: window.user_label.text() == "Not signed in")
    assert memory_keyring.entries == {}
    assert app_settings.signed_in_user(profile.key) is None
    with pytest.raises(AuthenticationError):
        await whoami(window.session.http, profile, token)
    await window.wait_for_pages()
    assert seen[-1] is not None
    assert seen[-1].token is None


async def test_a_wrong_password_is_shown_in_the_dialog_with_the_servers_words(
    window: MainWindow, live_server: LiveServer, memory_keyring: MemoryKeyring
) -> None:
    create_user(live_server.data_dir)
    await show_profile(window, custom("Team index", live_server.url))
    window.sign_in_button.click()
    dialog = await dialog_of(SignInDialog)
    assert not dialog.ok_button.isEnabled()
    dialog.username.setText("alice")
    dialog.secret.setText("not the password")
    dialog.ok_button.click()
    await until(lambda: "Invalid username or password" in dialog.problem.text())
    assert dialog.isVisible()
    assert dialog.ok_button.isEnabled()
    assert "not the password" not in dialog.problem.text()
    dialog.reject()
    await until(lambda: not dialog_open(SignInDialog))
    assert window.user_label.text() == "Not signed in"
    assert memory_keyring.entries == {}


async def test_an_index_without_the_api_takes_a_pasted_token_checked_as_typed(
    window: MainWindow, plain_index: str, memory_keyring: MemoryKeyring
) -> None:
    profile = custom("Plain index", plain_index)
    await show_profile(window, profile)
    assert window.session.state.reachability is Reachability.REACHABLE
    assert window.session.state.has_maintainer_api is False

    window.sign_in_button.click()
    dialog = await dialog_of(SignInDialog)
    assert dialog.secret.accessibleName() == "API token"
    assert "API token" in dialog.intro.text()
    dialog.username.setText("alice")
    dialog.secret.setText("ghp_not_a_pypi_token")
    assert "starts with “pypi-”" in dialog.problem.text()
    assert not dialog.ok_button.isEnabled()
    dialog.secret.setText(TOKEN)
    assert dialog.problem.isHidden()
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    await until(lambda: window.user_label.text() == "alice")
    assert memory_keyring.entries == {(service_name(profile.key), "alice"): TOKEN}

    window.sign_in_button.click()  # sign out: nothing to revoke on such an index
    await until(lambda: window.user_label.text() == "Not signed in")
    assert memory_keyring.entries == {}
    await settle(window)


async def test_a_remembered_sign_in_is_read_back_from_the_keyring(
    window: MainWindow, plain_index: str, app_settings: AppSettings
) -> None:
    profile = custom("Plain index", plain_index)
    CredentialStore().set(profile.key, "bob", TOKEN)
    app_settings.set_signed_in_user(profile.key, "bob")
    await show_profile(window, profile)
    assert window.user_label.text() == "bob"
    context = window.session.context()
    assert context is not None
    assert context.token == TOKEN
    # A user remembered in the settings whose token the keyring lost is signed out.
    CredentialStore().delete(profile.key, "bob")
    await window.session.select(profile.name)
    assert window.user_label.text() == "Not signed in"
    await settle(window)


async def test_without_a_keyring_the_token_is_kept_for_this_session_only(
    window: MainWindow, plain_index: str
) -> None:
    keyring.set_keyring(fail.Keyring())  # the autouse fixture restores the previous one
    await show_profile(window, custom("Plain index", plain_index))
    window.sign_in_button.click()
    dialog = await dialog_of(SignInDialog)
    dialog.username.setText("alice")
    dialog.secret.setText(TOKEN)
    dialog.ok_button.click()
    await until(lambda: window.user_label.text().startswith("alice"))
    assert window.user_label.text() == "alice (this session only)"
    assert "No keyring on this system" in window.message_label.text()
    assert "No keyring on this system" in window.user_label.toolTip()
    await settle(window)


async def test_an_unreachable_index_shows_its_error_and_recovers_on_retry(
    window: MainWindow, tmp_path: Path
) -> None:
    port = find_free_port()
    url = f"http://127.0.0.1:{port}"
    await show_profile(window, custom("Flaky index", url))
    assert window.session.state.reachability is Reachability.UNREACHABLE
    assert "can't reach 127.0.0.1" in window.reachability_label.text()
    assert window.retry_button.isVisibleTo(window)
    assert f"Could not reach the index at {url}/simple/" in window.message_label.text()
    assert not window.sign_in_button.isEnabled()
    assert window.session.context() is None

    (tmp_path / "up" / "simple").mkdir(parents=True)
    server = serve_static(tmp_path / "up", port)
    try:
        window.retry_button.click()
        await until(lambda: window.session.state.reachability is Reachability.REACHABLE)
        await settle(window)  # the pages load from it before it goes away
    finally:
        server.shutdown()
        server.server_close()
    assert "reachable" in window.reachability_label.text()
    assert not window.retry_button.isVisibleTo(window)
    # The error is gone (the pages may have said something of their own since).
    assert "Could not reach" not in window.message_label.text()
    assert window.sign_in_button.isEnabled()


async def test_f5_refreshes_the_current_page_or_asks_an_unreachable_index_again(
    window: MainWindow, plain_index: str
) -> None:
    refreshed: list[bool] = []

    async def refresh() -> None:
        refreshed.append(True)

    window.pages[0].refresh = refresh  # type: ignore[method-assign]
    await show_profile(window, custom("Plain index", plain_index))
    loads = len(refreshed)  # the Projects page loads a new index by refreshing
    window.refresh_action.trigger()
    await until(lambda: len(refreshed) == loads + 1)
    assert window.refresh_action.shortcut().toString() == "F5"

    await show_profile(window, custom("Gone", f"http://127.0.0.1:{find_free_port()}"))
    checks: list[object] = []
    window.session.changed.connect(checks.append)
    loads = len(refreshed)
    await window.refresh()
    assert len(refreshed) == loads  # not the page: the index is asked again
    assert checks  # asked again: checking, then unreachable


async def test_the_local_profile_follows_the_local_index(window: MainWindow) -> None:
    controller = window.controller
    await until(lambda: window.session.state.reachability is Reachability.UNREACHABLE)
    assert window.session.state.profile.kind is ProfileKind.LOCAL
    assert "not running" in (window.session.state.error or "")
    assert "not running" in window.reachability_label.text()
    await controller.start()
    await until(lambda: window.session.state.reachability is Reachability.REACHABLE)
    assert window.session.state.profile.base_url == controller.status.url + "/"
    assert window.session.state.has_maintainer_api
    assert window.index_status.text() == f"Local index running at {controller.status.url}"
    await settle(window)  # the pages load from it: nothing in flight when the test ends


async def test_the_local_index_account_is_adopted_and_signed_in(
    window: MainWindow, memory_keyring: MemoryKeyring, app_settings: AppSettings
) -> None:
    window.controller.account_ready.emit("me", TOKEN)
    await until(lambda: window.user_label.text() == "me")
    key = f"local-index:{app_settings.local_index_data_dir}"
    assert memory_keyring.entries == {(service_name(key), "me"): TOKEN}
    assert app_settings.signed_in_user(key) == "me"
    assert window.user_label.text() == "me"


async def test_page_busy_and_messages_show_in_the_status_bar(window: MainWindow) -> None:
    await until(lambda: window.session.state.reachability is Reachability.UNREACHABLE)
    page = window.pages[0]
    window.page_list.setCurrentRow(0)
    page.busy_changed.emit(True)
    assert window.is_busy
    page.status_message.emit("12 projects")
    assert window.message_label.text().endswith("12 projects")
    # A page out of view loads too, but does not speak over the one shown.
    window.pages[1].status_message.emit("1 token")
    assert window.message_label.text().endswith("12 projects")
    page.busy_changed.emit(False)
    assert not window.is_busy
    # The local index's own state stays visible next to page messages.
    window.controller.status_changed.emit(
        LocalIndexStatus(IndexState.FAILED, url="http://127.0.0.1:1", reason="port in use")
    )
    assert window.index_status.text() == "Local index failed: port in use"
    assert window.message_label.text().endswith("12 projects")


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


async def test_help_offers_about_and_the_log_folder(window: MainWindow, tmp_path: Path) -> None:
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        window.log_folder_action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [url.toLocalFile() for url in catcher.urls] == [str(tmp_path / "log")]
    assert (tmp_path / "log").is_dir()

    window.about_action.trigger()
    about = await dialog_of(AboutDialog)
    assert "pypidesk" in about.text.text()
    assert str(tmp_path / "log") in about.text.text()
    about.reject()
    await until(lambda: not dialog_open(AboutDialog))


async def test_geometry_splitter_and_page_are_restored(
    qtbot: QtBot, window: MainWindow, app_settings: AppSettings, tmp_path: Path
) -> None:
    # Inside the offscreen platform's 800x600 screen, which restoreGeometry keeps to,
    # and above the window's minimum (the toolbar's labels decide it).
    width = min(790, max(700, window.minimumSizeHint().width() + 4))
    window.resize(width, 520)
    window.splitter.setSizes([260, width - 280])
    sizes = window.splitter.sizes()
    window.close()
    async with httpx.AsyncClient() as http:
        controller = LocalIndexController(app_settings.local_index_data_dir, http)
        again = make_window(
            controller, app_settings, Session(app_settings, http, CredentialStore()), tmp_path
        )
        again.show()
        try:
            assert (again.width(), again.height()) == (width, 520)
            assert again.splitter.sizes() == sizes
        finally:
            await release(again)
