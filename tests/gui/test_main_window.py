"""The main window shows the local index's state and drives it from its buttons."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from PySide6.QtGui import QGuiApplication

from pypidesk.client.credentials import CredentialStore
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.local_index import IndexState, LocalIndexController, LocalIndexStatus
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.session import Session
from pypidesk.gui.signals import next_emission
from tests.gui.frame_helpers import release, settle


@pytest.fixture
async def controller(app_settings: AppSettings) -> AsyncIterator[LocalIndexController]:
    async with httpx.AsyncClient(timeout=5) as http:
        controller = LocalIndexController(app_settings.local_index_data_dir, http)
        yield controller
        await controller.stop()


WindowMaker = Callable[[], MainWindow]


@pytest.fixture
async def make_window(
    controller: LocalIndexController, app_settings: AppSettings
) -> AsyncIterator[WindowMaker]:
    """Builds windows as the app does; each is released before the controller stops."""
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        session = Session(app_settings, controller._http, CredentialStore())
        window = MainWindow(app_settings, app_settings.local_index_data_dir.parent / "log")
        window.attach(controller, session)
        windows.append(window)
        return window

    try:
        yield make
    finally:
        for window in windows:
            await release(window)


async def wait_for_state(controller: LocalIndexController, state: IndexState) -> None:
    while controller.status.state is not state:
        await asyncio.wait_for(next_emission(controller.status_changed), 30)


async def test_window_title_and_initial_state(
    make_window: WindowMaker, controller: LocalIndexController, app_settings: AppSettings
) -> None:
    window = make_window()
    panel = window.local_index_panel
    assert window.windowTitle() == "Local test index — pypidesk"
    assert window.index_status.text() == "Local index stopped"
    assert panel.state_label.text() == "Stopped"
    assert panel.data_dir_label.text() == str(app_settings.local_index_data_dir)
    assert panel.start_button.isEnabled()
    assert not panel.stop_button.isEnabled()
    assert not panel.copy_button.isEnabled()


async def test_start_and_stop_buttons_drive_the_local_index(
    make_window: WindowMaker, controller: LocalIndexController, app_settings: AppSettings
) -> None:
    window = make_window()
    panel = window.local_index_panel

    panel.start_button.click()
    await wait_for_state(controller, IndexState.RUNNING)

    url = controller.status.url
    assert window.index_status.text() == f"Local index running at {url}"
    assert panel.url_label.text() == url
    assert panel.upload_url_label.text() == f"{url}/legacy/"
    assert panel.index_url_label.text() == f"{url}/simple/"
    assert not panel.start_button.isEnabled()
    assert panel.stop_button.isEnabled()
    assert "Application startup complete" in panel.log_view.toPlainText()
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == url

    panel.stop_button.click()
    await wait_for_state(controller, IndexState.STOPPED)
    assert window.index_status.text() == "Local index stopped"
    assert panel.url_label.text() == "—"
    assert panel.upload_url_label.text() == panel.index_url_label.text() == "—"
    await settle(window)  # the pages let go of the stopped index before the test ends


async def test_failure_is_shown_with_its_reason(
    make_window: WindowMaker, controller: LocalIndexController, app_settings: AppSettings
) -> None:
    window = make_window()
    failed = LocalIndexStatus(IndexState.FAILED, url="http://127.0.0.1:1", reason="port in use")
    controller.status_changed.emit(failed)
    assert window.index_status.text() == "Local index failed: port in use"
    assert window.local_index_panel.state_label.text() == "Failed"
    assert window.local_index_panel.reason_label.text() == "port in use"
    assert window.local_index_panel.start_button.isEnabled()


async def test_closing_announces_itself_and_remembers_geometry(
    make_window: WindowMaker, app_settings: AppSettings
) -> None:
    window = make_window()
    width = min(790, max(700, window.minimumSizeHint().width() + 4))
    window.resize(width, 520)
    window.show()
    closing = next_emission(window.closing)
    window.close()
    await asyncio.wait_for(closing, 5)
    assert app_settings.window_geometry is not None

    again = make_window()
    assert (again.width(), again.height()) == (width, 520)
