"""Yank, un-yank and delete from the Projects page, checked with the real pip and twine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
from PySide6.QtCore import Qt

from pypidesk.gui.dialogs.confirm_dialog import ConfirmDialog
from pypidesk.gui.dialogs.yank_dialog import YankDialog
from pypidesk.gui.pages.project_detail import ProjectDetailPane
from pypidesk.gui.pages.projects import ProjectsPage
from tests.client.live_accounts import TwoUsers, create_project
from tests.e2e.installers import clean_env
from tests.e2e.upload_helpers import twine, write_dists
from tests.gui.manage_fixtures import Dialogs, assert_accessible, context
from tests.gui.pages.project_helpers import cells, open_project, page, select
from tests.index.upload.dists import make_wheel

__all__ = ["page"]


def pip_download(url: str, project: str, home: Path) -> list[str]:
    """What the real pip chooses for ``project`` from the index (no dependencies)."""
    target = home / "downloads"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-cache-dir",
            "--index-url",
            f"{url}/simple/",
            "--dest",
            str(target),
            project,
        ],
        env=clean_env(home),  # no PIP_FIND_LINKS, no machine-wide pip config
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return sorted(p.name for p in target.iterdir())


async def test_a_yank_shows_on_the_projects_page_and_pip_stops_choosing_it(
    page: ProjectsPage, users: TwoUsers, http: httpx.AsyncClient, dialogs: Dialogs, tmp_path: Path
) -> None:
    create_project(users.url, users.alice, "alpha", "2.0")
    assert pip_download(users.url, "alpha", tmp_path / "before") == ["alpha-2.0-py3-none-any.whl"]
    await page.show_context(context(http, users.url, users.alice, "alice"))
    await open_project(page, "alpha")
    detail = page.detail
    select(detail.releases_view, 0, "2.0")
    assert detail.yank_button.text() == "Yank…"

    detail.yank_button.click()
    yank = await dialogs.next(YankDialog)
    yank.cancel_button.click()  # changed their mind: nothing happens
    await page.wait_idle()
    assert cells(detail.releases_view)[0][3] == "—"

    detail.yank_button.click()
    yank = await dialogs.next(YankDialog)
    assert_accessible(yank)
    assert (
        "unless someone pins exactly this version"
        in yank.findChild(type(detail.header), "confirm_text").text()
    )
    yank.reason.setText("broken wheel")
    yank.field.setText("2")
    assert not yank.confirm_button.isEnabled()
    yank.field.setText("2.0")
    yank.confirm_button.click()
    await page.wait_idle()

    # The page loaded again: the release shows as yanked, with its reason.
    assert [cells(detail.releases_view)[0][i] for i in (0, 3)] == ["2.0", "yanked: broken wheel"]
    assert detail.selected_release().version == "2.0"
    assert detail.yank_button.text() == "Un-yank…"
    assert pip_download(users.url, "alpha", tmp_path / "after") == ["alpha-1.0-py3-none-any.whl"]

    # The project's activity says so, newest first.
    detail.tabs.setCurrentIndex(ProjectDetailPane.ACTIVITY_TAB)
    await page.wait_idle()
    history = detail.activity_tab.history
    assert cells(history.view)[0][1:4] == ["Release yanked", "alpha", "2.0 · broken wheel"]
    # The index's own tag for the event, in the tooltip.
    assert history.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == "project:release:yank"
    assert_accessible(detail.activity_tab)

    detail.tabs.setCurrentIndex(ProjectDetailPane.RELEASES_TAB)
    detail.yank_button.click()
    unyank = await dialogs.next(ConfirmDialog)
    unyank.cancel_button.click()
    await page.wait_idle()
    assert detail.yank_button.text() == "Un-yank…"
    detail.yank_button.click()
    unyank = await dialogs.next(ConfirmDialog)
    assert unyank.windowTitle() == "Un-yank alpha 2.0"
    unyank.field.setText("2.0")
    unyank.confirm_button.click()
    await page.wait_idle()
    assert cells(detail.releases_view)[0][3] == "—"
    assert pip_download(users.url, "alpha", tmp_path / "again") == ["alpha-2.0-py3-none-any.whl"]
    # The activity tab is out of date and loads again when shown.
    assert detail.activity_tab.stale
    detail.tabs.setCurrentIndex(ProjectDetailPane.ACTIVITY_TAB)
    await page.wait_idle()
    assert cells(history.view)[0][1] == "Release un-yanked"

    # Deleting asks first; cancelled, nothing goes.
    detail.tabs.setCurrentIndex(ProjectDetailPane.RELEASES_TAB)
    for button in (detail.delete_release_button, detail.delete_project_button):
        button.click()
        confirm = await dialogs.next(ConfirmDialog)
        confirm.cancel_button.click()
        await page.wait_idle()
    assert [r.version for r in detail.detail.releases] == ["2.0", "1.0"]


async def test_deletes_need_the_typed_name_and_a_deleted_filename_is_never_taken_again(
    page: ProjectsPage, users: TwoUsers, http: httpx.AsyncClient, dialogs: Dialogs, tmp_path: Path
) -> None:
    create_project(users.url, users.alice, "alpha", "2.0")
    shown: list[int] = []
    page.projects_shown.connect(shown.append)
    await page.show_context(context(http, users.url, users.alice, "alice"))
    await open_project(page, "alpha", ProjectDetailPane.FILES_TAB)
    detail = page.detail
    select(detail.releases_view, 0, "2.0")
    assert cells(detail.files_view)[0][0] == "alpha-2.0-py3-none-any.whl"
    detail.files_view.select_row(0)

    # Cancelled: nothing happens.
    detail.delete_file_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    confirm.cancel_button.click()
    await page.wait_idle()
    assert len(cells(detail.files_view)) == 1

    detail.delete_file_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    text = confirm.findChild(type(detail.header), "confirm_text").text()
    assert "this file name can never be used again" in text
    confirm.field.setText("alpha-2.0-py3-none-any.whl")
    assert not confirm.confirm_button.isEnabled()  # PyPI asks for the project's name
    confirm.field.setText("alpha")
    confirm.confirm_button.click()
    await page.wait_idle()
    # As on PyPI, the release stays, without files.
    assert [(r.version, len(r.files)) for r in detail.detail.releases] == [("2.0", 0), ("1.0", 1)]
    assert cells(detail.files_view) == []

    again = write_dists(tmp_path / "dist", make_wheel("alpha", "2.0"))
    refused = twine(users.url, again, home=tmp_path, password=users.alice)
    assert refused.returncode != 0
    said = " ".join((refused.stdout + refused.stderr).split())  # twine wraps its lines
    assert "This filename was previously used by a file that has since been deleted." in said

    # A release (the one left without files): the version typed.
    detail.tabs.setCurrentIndex(ProjectDetailPane.RELEASES_TAB)
    select(detail.releases_view, 0, "2.0")
    detail.delete_release_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    warning = confirm.findChild(type(detail.header), "confirm_text").text()
    assert "and its files (none)?" in warning
    assert "can never be used again" in warning
    confirm.field.setText("alpha")
    assert not confirm.confirm_button.isEnabled()
    confirm.field.setText("2.0")
    confirm.confirm_button.click()
    await page.wait_idle()
    assert [r.version for r in detail.detail.releases] == ["1.0"]

    # The project: its name typed; the list loads again without it.
    await open_project(page, "beta")
    detail.delete_project_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    assert confirm.windowTitle() == "Delete project beta"
    confirm.field.setText("beta")
    confirm.confirm_button.click()
    await page.wait_idle()
    assert [p.name for p in page.model.records()] == ["alpha"]
    assert shown[-1] == 1

    # A refusal is said above the tabs, in the index's words.
    await open_project(page, "alpha")
    select(detail.releases_view, 0, "1.0")
    await http.delete(
        f"{users.url}/api/v1/projects/alpha/releases/1.0", auth=("__token__", users.alice)
    )
    detail.delete_release_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    confirm.field.setText("1.0")
    confirm.confirm_button.click()
    await page.wait_idle()
    assert detail.notice.isVisible()
    assert detail.notice.text().startswith("Couldn't delete 1.0: ")
