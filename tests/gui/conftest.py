"""GUI tests run their coroutines on a qasync loop inside the one QApplication."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import httpx
import pytest
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pypidesk.client.credentials import CredentialStore
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.local_index import LocalIndexController
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.session import Session
from tests.gui.frame_helpers import make_window, release
from tests.memory_keyring import MemoryKeyring, installed_memory_keyring


def _qasync_loop() -> asyncio.AbstractEventLoop:
    app = QApplication.instance() or QApplication([])
    # As in the real app: closing a window must not stop the loop under the test.
    app.setQuitOnLastWindowClosed(False)
    return qasync.QEventLoop(app)


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    # Hook of pytest-asyncio >= 1.2; this conftest's items only.
    return {"qasync": _qasync_loop}


@pytest.fixture
def app_settings(tmp_path: Path) -> AppSettings:
    """Settings in a private INI file, with the local index's data in tmp_path."""
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.local_index_data_dir = tmp_path / "local-index"
    # Any free port: tests run side by side; the app's fixed default is tested on its own.
    settings.local_index_port = 0
    return settings


@pytest.fixture(autouse=True)
def collect_qobjects_on_the_gui_thread() -> Iterator[None]:
    """Free what a GUI test leaves behind here, on the GUI thread.

    Left to chance, Python's cycle collector may run in another thread (a test
    server's, an executor's) and destroy QObjects there, which crashes Qt.
    """
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """No GUI test reaches the real keyring: an in-memory one, process-wide, restored after."""
    with installed_memory_keyring() as backend:
        yield backend


from tests.client.live_indexes import published_index, pypiserver_index  # noqa: E402, F401


@pytest.fixture
async def window(
    qtbot: QtBot, app_settings: AppSettings, tmp_path: Path
) -> AsyncIterator[MainWindow]:
    """The real window as the app builds it, on a local index that is never started.

    Released (pages idle, then deleted) before the loop under the test ends.
    """
    async with httpx.AsyncClient(timeout=10) as http:
        controller = LocalIndexController(app_settings.local_index_data_dir, http)
        session = Session(app_settings, http, CredentialStore())
        window = make_window(controller, app_settings, session, tmp_path / "log")
        window.show()
        try:
            yield window
        finally:
            await release(window)
        await controller.stop()
