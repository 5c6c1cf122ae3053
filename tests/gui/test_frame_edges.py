"""The frame before its pages exist, and failures that must not escape it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pypidesk.client.credentials import CredentialStore
from pypidesk.client.errors import IndexUnreachableError
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.local_index import LocalIndexController
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.session import Reachability, Session
from pypidesk.gui.signals import next_emission
from tests.gui.frame_helpers import make_window, release, settle, until


@pytest.fixture
async def window(
    qtbot: QtBot, app_settings: AppSettings, tmp_path: Path
) -> AsyncIterator[MainWindow]:
    async with httpx.AsyncClient(timeout=5) as http:
        controller = LocalIndexController(app_settings.local_index_data_dir, http)
        window = make_window(
            controller, app_settings, Session(app_settings, http, CredentialStore()), tmp_path
        )
        try:
            yield window
        finally:
            await release(window)


async def test_the_frame_alone_is_drawn_and_closes_cleanly(
    qtbot: QtBot, app_settings: AppSettings, tmp_path: Path
) -> None:
    window = MainWindow(app_settings, tmp_path)
    qtbot.addWidget(window)
    window.show()
    assert window.index_status.text() == "Local index: starting…"
    assert window.profile_combo.currentText() == "Local test index"
    assert not window.retry_button.isVisibleTo(window)
    assert window.sign_in_button.text() == "Sign in…"
    assert not window.sign_in_button.isEnabled()
    assert not window.profile_combo.isEnabled()
    assert not window.refresh_action.isEnabled()
    assert window.pages == []
    with pytest.raises(RuntimeError, match="attach"):
        _ = window.session
    with pytest.raises(RuntimeError, match="attach"):
        _ = window.controller
    closing = next_emission(window.closing)
    window.close()
    await asyncio.wait_for(closing, 5)


async def test_a_page_that_fails_to_load_says_so_in_the_status_bar(window: MainWindow) -> None:
    async def fail(context: IndexContext | None) -> None:
        raise IndexUnreachableError("http://x.test/", "refused")

    async def fail_refresh() -> None:
        raise IndexUnreachableError("http://y.test/", "timed out")

    window.pages[0].show_context = fail  # type: ignore[method-assign]
    window.pages[0].refresh = fail_refresh  # type: ignore[method-assign]
    window._pushed = False  # as if nothing had been shown yet
    window._push_context()
    await window.wait_for_pages()
    assert "Could not reach the index at http://x.test/" in window.message_label.text()

    window.session._set(reachability=Reachability.REACHABLE)  # as if it answered
    await window.refresh()
    assert "http://y.test/" in window.message_label.text()
    await settle(window)


async def test_a_failure_in_a_started_task_reaches_the_excepthook(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(sys, "excepthook", lambda *args: seen.append(args))

    async def boom() -> None:
        raise ValueError("boom")

    window._start(boom())
    await until(lambda: seen)
    assert seen[0][0] is ValueError


async def test_busy_signals_from_elsewhere_are_ignored(window: MainWindow) -> None:
    window._page_busy(True)  # no page sent it
    assert window._busy_pages == set()


def test_an_unreadable_page_number_starts_on_the_first_page(app_settings: AppSettings) -> None:
    app_settings._qsettings.setValue(AppSettings.CURRENT_PAGE, "seven")
    assert app_settings.current_page == 0
    app_settings.current_page = 3
    assert app_settings.current_page == 3


async def test_the_page_shown_last_time_is_shown_again(
    qtbot: QtBot, app_settings: AppSettings, tmp_path: Path
) -> None:
    app_settings.current_page = 0
    frame = MainWindow(app_settings, tmp_path)
    qtbot.addWidget(frame)
    assert frame.page_list.currentRow() == 0
    assert frame.page_list.item(0).text() == "Projects"  # before any page exists
    app_settings.current_page = 99  # a page that no longer exists: the first one
    again = MainWindow(app_settings, tmp_path)
    qtbot.addWidget(again)
    assert again.page_list.currentRow() == 0


def test_the_local_index_port_is_kept_and_an_unreadable_one_is_the_default(
    app_settings: AppSettings,
) -> None:
    from pypidesk.paths import DEFAULT_LOCAL_PORT

    app_settings._qsettings.remove(AppSettings.LOCAL_INDEX_PORT)
    assert app_settings.local_index_port == DEFAULT_LOCAL_PORT
    app_settings.local_index_port = 8123
    assert app_settings.local_index_port == 8123
    app_settings._qsettings.setValue(AppSettings.LOCAL_INDEX_PORT, "eighty")
    assert app_settings.local_index_port == DEFAULT_LOCAL_PORT
