"""Custom index profiles: added, edited and removed in the dialog, kept in the settings."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from pypidesk.client.profiles import Profile, ProfileKind
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.dialogs.profiles import ProfilesDialog, url_problem
from pypidesk.gui.main_window import MainWindow
from tests.gui.frame_helpers import dialog_of, dialog_open, until


def combo_names(window: MainWindow) -> list[str]:
    return [window.profile_combo.itemText(i) for i in range(window.profile_combo.count())]


def fill(dialog: ProfilesDialog, name: str, index_url: str, upload_url: str) -> None:
    dialog.name.setText(name)
    dialog.index_url.setText(index_url)
    dialog.upload_url.setText(upload_url)


async def test_built_in_profiles_are_always_there(window: MainWindow) -> None:
    assert combo_names(window) == ["Local test index", "TestPyPI", "PyPI"]
    assert window.profile_combo.currentText() == "Local test index"


async def test_add_edit_and_remove_a_profile(
    window: MainWindow, app_settings: AppSettings
) -> None:
    window.profiles_button.click()
    dialog = await dialog_of(ProfilesDialog)
    assert not dialog.remove_button.isEnabled()
    fill(dialog, "Company", "https://pypi.example.org/simple", "https://pypi.example.org/legacy")
    dialog.save_button.click()
    assert dialog.list.count() == 1
    assert dialog.list.currentRow() == 0
    assert dialog.remove_button.isEnabled()
    dialog.accept()
    await until(lambda: "Company" in combo_names(window))
    assert combo_names(window) == ["Local test index", "TestPyPI", "PyPI", "Company"]
    (saved,) = app_settings.custom_profiles
    assert saved == Profile(
        "Company", "https://pypi.example.org/simple/", "https://pypi.example.org/legacy/"
    )
    assert saved.kind is ProfileKind.CUSTOM

    # Edit: pick it, change the name and the upload URL.
    window.profiles_button.click()
    dialog = await dialog_of(ProfilesDialog)
    dialog.list.setCurrentRow(0)
    assert dialog.name.text() == "Company"
    assert dialog.index_url.text() == "https://pypi.example.org/simple/"
    fill(dialog, "Company index", dialog.index_url.text(), "https://upload.example.org/")
    dialog.save_button.click()
    assert dialog.list.count() == 1
    dialog.accept()
    await until(lambda: "Company index" in combo_names(window))
    assert "Company" not in combo_names(window)
    assert [p.upload_url for p in app_settings.custom_profiles] == ["https://upload.example.org/"]

    # Remove it; the combo keeps the built-in ones only.
    window.profiles_button.click()
    dialog = await dialog_of(ProfilesDialog)
    dialog.list.setCurrentRow(0)
    dialog.remove_button.click()
    assert dialog.list.count() == 0
    assert dialog.name.text() == ""
    dialog.accept()
    await until(lambda: len(combo_names(window)) == 3)
    assert app_settings.custom_profiles == []


async def test_the_shown_profile_is_kept_and_a_removed_one_falls_back_to_local(
    window: MainWindow, app_settings: AppSettings
) -> None:
    app_settings.custom_profiles = [Profile("Mine", "http://127.0.0.1:9/simple/", "http://x/")]
    await window.session.select("Mine")
    window.reload_profile_list()
    assert window.profile_combo.currentText() == "Mine"
    window.profiles_button.click()
    dialog = await dialog_of(ProfilesDialog)
    dialog.list.setCurrentRow(0)
    dialog.remove_button.click()
    dialog.accept()
    await until(lambda: window.session.state.profile.name == "Local test index")
    assert window.profile_combo.currentText() == "Local test index"
    assert app_settings.selected_profile == "Local test index"


async def test_cancel_changes_nothing(window: MainWindow, app_settings: AppSettings) -> None:
    window.profiles_button.click()
    dialog = await dialog_of(ProfilesDialog)
    fill(dialog, "Company", "https://pypi.example.org/simple/", "https://pypi.example.org/l/")
    dialog.save_button.click()
    dialog.reject()
    await until(lambda: not dialog_open(ProfilesDialog))
    assert app_settings.custom_profiles == []
    assert len(combo_names(window)) == 3


@pytest.mark.parametrize(
    ("name", "index_url", "upload_url", "problem"),
    [
        ("", "https://a.org/simple/", "https://a.org/legacy/", "Give the profile a name."),
        ("PyPI", "https://a.org/simple/", "https://a.org/legacy/", "already a profile"),
        ("Taken", "https://a.org/simple/", "https://a.org/legacy/", "already a profile"),
        ("A", "a.org/simple/", "https://a.org/legacy/", "The index URL must be a web address"),
        ("A", "https://a.org/simple/", "ftp://a.org/", "The upload URL must be a web address"),
        ("A", "https:///simple/", "https://a.org/", "The index URL must be a web address"),
    ],
)
def test_a_profile_that_cannot_work_is_refused_with_a_reason(
    qtbot: QtBot, name: str, index_url: str, upload_url: str, problem: str
) -> None:
    taken = Profile("Taken", "https://t.org/simple/", "https://t.org/legacy/")
    dialog = ProfilesDialog([taken], ["Local test index", "TestPyPI", "PyPI"])
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog, name, index_url, upload_url)
    dialog.save_button.click()
    assert problem in dialog.problem.text()
    assert dialog.problem.isVisibleTo(dialog)
    assert dialog.profiles == [taken]


def test_saving_a_profile_under_its_own_name_is_no_conflict(qtbot: QtBot) -> None:
    mine = Profile("Mine", "https://m.org/simple/", "https://m.org/legacy/")
    dialog = ProfilesDialog([mine], ["PyPI"])
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(0)
    dialog.index_url.setText("https://m2.org/simple/")
    dialog.save_button.click()
    assert dialog.profiles == [Profile("Mine", "https://m2.org/simple/", "https://m.org/legacy/")]
    dialog.list.setCurrentRow(-1)  # nothing selected: the form stays as it was
    dialog.remove_button.click()
    assert dialog.profiles == [Profile("Mine", "https://m2.org/simple/", "https://m.org/legacy/")]


def test_url_problem_accepts_http_and_https() -> None:
    assert url_problem("https://pypi.org/simple/", "index URL") is None
    assert url_problem("http://127.0.0.1:8000/", "index URL") is None


def test_unreadable_stored_profiles_are_skipped(app_settings: AppSettings) -> None:
    app_settings._qsettings.setValue(
        AppSettings.CUSTOM_PROFILES,
        '[{"name": "Good", "index_url": "https://g.org/", "upload_url": "https://g.org/l/"},'
        ' {"name": "Bad"}, 3]',
    )
    assert [p.name for p in app_settings.custom_profiles] == ["Good"]
    app_settings._qsettings.setValue(AppSettings.CUSTOM_PROFILES, "not json")
    assert app_settings.custom_profiles == []


def test_ok_keeps_what_the_form_holds(qtbot: QtBot) -> None:
    dialog = ProfilesDialog([], ["PyPI"])
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog, "Company", "https://c.org/simple/", "https://c.org/legacy/")
    dialog.accept()  # no "Save profile" click first
    assert [p.name for p in dialog.profiles] == ["Company"]
    assert dialog.result() == ProfilesDialog.DialogCode.Accepted


def test_ok_with_a_broken_form_keeps_the_dialog_open(qtbot: QtBot) -> None:
    mine = Profile("Mine", "https://m.org/simple/", "https://m.org/legacy/")
    dialog = ProfilesDialog([mine], ["PyPI"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.list.setCurrentRow(0)
    dialog.index_url.setText("not a url")
    dialog.accept()
    assert dialog.isVisible()
    assert "index URL" in dialog.problem.text()
    assert dialog.profiles == [mine]
    dialog.list.setCurrentRow(-1)
    dialog.list.setCurrentRow(0)  # the saved profile again in the form: OK closes
    dialog.accept()
    assert not dialog.isVisible()
