"""What the Publish page keeps in the app's settings and asks of the session."""

from __future__ import annotations

from pathlib import Path

from pypidesk.client.profiles import PYPI
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.pages.publish import PublishPage
from tests.gui.frame_helpers import settle


def test_recent_folders_are_newest_first_without_repeats_and_at_most_eight(
    app_settings: AppSettings, tmp_path: Path
) -> None:
    assert app_settings.recent_publish_folders == []
    for i in range(10):
        app_settings.remember_publish_folder(tmp_path / str(i))
    app_settings.remember_publish_folder(tmp_path / "5")
    assert app_settings.recent_publish_folders == [
        tmp_path / name for name in ("5", "9", "8", "7", "6", "4", "3", "2")
    ]
    app_settings._qsettings.setValue(AppSettings.RECENT_PUBLISH_FOLDERS, '{"not": "a list"}')
    assert app_settings.recent_publish_folders == []


async def test_the_window_hands_the_page_its_settings_and_the_keyring(window: MainWindow) -> None:
    page = next(p for p in window.pages if isinstance(p, PublishPage))
    assert window.session.settings is window.settings
    assert await window.session.credentials(PYPI) == (None, None)
    assert page.title == "Publish"
    await settle(window)
