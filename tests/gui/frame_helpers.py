"""Building the real frame for a test, and waiting on what it shows without a nested loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

from pypidesk.client.profiles import Profile
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.local_index import LocalIndexController
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.session import Reachability, Session

T = TypeVar("T", bound=QWidget)


async def until(condition: Callable[[], object], timeout: float = 20.0) -> None:
    """Let the loop run until ``condition()`` holds, looked at every 10 ms by a Qt timer."""
    met = asyncio.Event()

    def look() -> None:
        if condition():
            met.set()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(look)
    look()
    timer.start()
    try:
        async with asyncio.timeout(timeout):
            await met.wait()
    finally:
        timer.stop()
        timer.deleteLater()


async def dialog_of(kind: type[T]) -> T:
    """The open dialog of that class, once it is shown."""
    found: list[T] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind)]
        return bool(found) and found[-1].isVisible()

    await until(shown)
    return found[-1]


async def show_profile(window: MainWindow, profile: Profile) -> None:
    """Add ``profile`` to the settings and switch the window to it, as a user would."""
    settings = window.settings
    settings.custom_profiles = [*settings.custom_profiles, profile]
    await window.session.reload_profiles()
    window.reload_profile_list()
    row = window.profile_combo.findText(profile.name)
    window.profile_combo.setCurrentIndex(row)
    window.profile_combo.activated.emit(row)
    await until(lambda: window.session.state.profile.name == profile.name)
    await until(lambda: window.session.state.reachability
                not in (Reachability.CHECKING, Reachability.UNKNOWN))  # fmt: skip
    await window.wait_for_pages()


def dialog_open(kind: type[QWidget]) -> bool:
    """Whether a dialog of that class is on screen (a closed one is deleted soon after)."""
    return any(isinstance(w, kind) and w.isVisible() for w in QApplication.topLevelWidgets())


def make_window(
    controller: LocalIndexController, settings: AppSettings, session: Session, log_dir: Path
) -> MainWindow:
    """The window as the app builds it: the frame first, then the pages and the session."""
    window = MainWindow(settings, log_dir)
    window.attach(controller, session)
    return window


async def settle(window: MainWindow) -> None:
    """Until the window and its pages have finished what the test's last step started.

    A test ends with nothing in flight: pytest-qt processes Qt events after the
    test body, outside the asyncio loop, where a pending request cannot resume.
    """
    while True:
        # The window's own tasks (a sign-in the local index handed over, a check)
        # may change the context again, which starts a new push: until none is left.
        if window._tasks:
            await asyncio.gather(*window._tasks, return_exceptions=True)
            continue
        for page in window.pages:
            await page.wait_idle()
        if not window._tasks:
            return


async def release(window: MainWindow) -> None:
    """Close ``window``, release its pages and delete it: the app's order, before the loop ends.

    Not through ``qtbot.addWidget``: pytest-qt closes and deletes its widgets
    before fixtures tear down, so the pages would be gone under ``release_pages``
    while their requests were still in flight.
    """
    if isValid(window):  # a test may have deleted it itself
        window.close()
        await window.release_pages()
        window.deleteLater()
