"""The Publish page end to end: a real project built, checked, published, tried and promoted."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from pypidesk.client.profiles import Profile, local_profile
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.dialogs.promote_dialog import PromoteDialog
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.pages.projects import ProjectsPage
from pypidesk.gui.pages.publish import PublishPage
from pypidesk.gui.pages.publish_widgets import Step
from tests.client.live_indexes import PypiServer
from tests.gui.frame_helpers import settle, until
from tests.gui.manage_fixtures import Dialogs, assert_accessible
from tests.gui.publish.conftest import alice, cells, simple_files
from tests.publish.live import PublishIndex
from tests.publish.projects import make_project


async def test_build_check_publish_see_it_try_it_and_promote_it(  # noqa: PLR0917 - fixtures
    page: PublishPage,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    tmp_path: Path,
    project_name: str,
    pypiserver_index: PypiServer,
    extra_profiles: list[Profile],
    dialogs: Dialogs,
    app_settings: AppSettings,
) -> None:
    team = Profile("Team index", pypiserver_index.url + "/simple/", pypiserver_index.url + "/")
    extra_profiles.append(team)
    await page.show_context(alice(publish_index, http))
    assert_accessible(page)
    assert page.primary_button.text() == "Choose a project folder…"
    assert "file by file" in page.target_label.text()

    page.use_folder(tmp_path)
    assert "not a Python project" in page.banner.text()
    assert page.step is Step.SOURCE

    folder = make_project(tmp_path / "project", project_name)
    page.use_folder(folder)
    assert page.step is Step.BUILD
    assert page.primary_button.text() == "Build"
    assert app_settings.recent_publish_folders == [folder.resolve()]
    assert page.folder_combo.currentText() == str(folder.resolve())

    page.isolation_box.setChecked(True)
    page.primary_button.click()
    await until(lambda: page.step is Step.CHECK and not page.busy, 120)
    assert any("Successfully built" in line for line in page.log.lines())
    package = project_name.replace("-", "_")
    assert sorted(cells(page, 0)) == [
        f"{package}-0.1.0-py3-none-any.whl",
        f"{package}-0.1.0.tar.gz",
    ]
    assert page.primary_button.text() == "Check"

    await page.check()
    assert page.step is Step.PUBLISH, page.banner.text()
    assert cells(page, 4) == ["OK", "OK"]
    assert cells(page, 5) == ["new", "new"]
    assert page.primary_button.text() == "Publish to Local test index"

    await page.publish()
    assert page.step is Step.TRY, page.banner.text()
    assert "public as soon as it was sent" in page.banner.text()
    assert cells(page, 6) == ["uploaded", "uploaded"]
    assert page.progress.value() == page.progress.maximum()
    assert sorted(await simple_files(http, publish_index.url, project_name)) == sorted(
        cells(page, 0)
    )

    projects = ProjectsPage()
    try:
        await projects.show_context(alice(publish_index, http))
        names = [
            projects.table.model().index(r, 0).data()
            for r in range(projects.table.model().rowCount())
        ]
        assert project_name in names
    finally:
        await projects.wait_idle()
        projects.deleteLater()

    page.command_field.setText(f"{project_name}-hello")
    await page.try_it()
    assert page.step is Step.PROMOTE, page.banner.text()
    assert f"imported: {package}" in page.banner.text()
    assert f"hello from {project_name}" in page.log.lines()

    promoting = asyncio.ensure_future(page.promote())
    dialog = await dialogs.next(PromoteDialog)
    assert_accessible(dialog)
    assert dialog.target() == team
    for row in page.rows:
        assert row.dist is not None
        assert row.dist.sha256 in dialog.file_list.toPlainText()
    assert dialog.promote_button.text() == "Promote to Team index"
    dialog.promote_button.click()
    await promoting
    assert "Promoted 2 files to Team index" in page.banner.text(), page.banner.text()
    response = await http.get(f"{pypiserver_index.url}/simple/{project_name}/")
    assert all(name in response.text for name in cells(page, 0))


async def test_a_failed_build_shows_what_to_check_and_the_log_tail(
    page: PublishPage,
    tmp_path: Path,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
) -> None:
    await page.show_context(alice(publish_index, http))
    page.use_folder(make_project(tmp_path / "broken", build_backend="no_such_backend.build"))
    page.isolation_box.setChecked(True)
    await page.build()
    text = page.banner.text()
    assert "The build failed" in text
    assert "no_such_backend" in text
    assert 'File "' not in text  # the log's last words, not its stack frames
    assert page.step is Step.BUILD


async def test_no_permission_is_shown_with_the_index_text_and_a_hint(
    page: PublishPage,
    tmp_path: Path,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
) -> None:
    await page.show_context(
        IndexContext(local_profile(publish_index.url), http, "bob", publish_index.bob)
    )
    page.use_folder(make_project(tmp_path / "alpha", "alpha", "7.0"))
    page.isolation_box.setChecked(True)
    await page.build()
    await page.check()
    await page.publish()
    text = page.banner.text()
    assert "isn't allowed to upload to project 'alpha'" in text
    assert "maintainer" in text
    assert page.step is Step.CHECK
    assert "not stored" in cells(page, 6)


async def test_cancel_mid_upload_leaves_nothing_on_the_index(
    page: PublishPage,
    tmp_path: Path,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    project_name: str,
) -> None:
    await page.show_context(alice(publish_index, http))
    folder = make_project(tmp_path / "big", project_name)
    (folder / project_name.replace("-", "_") / "blob.bin").write_bytes(os.urandom(16 << 20))
    page.use_folder(folder)
    page.isolation_box.setChecked(True)
    await page.build()
    page.rows = [r for r in page.rows if r.path.suffix == ".whl"]
    await page.check()
    publishing = asyncio.ensure_future(page.publish())
    await until(lambda: "%" in "".join(cells(page, 6)))
    assert page.cancel_button.isEnabled()
    page.cancel_button.click()
    await publishing
    assert page.banner.text() == "Cancelled."
    assert cells(page, 6) == ["not stored"]
    assert await simple_files(http, publish_index.url, project_name) == []
    assert page.step is Step.CHECK


async def test_files_dropped_on_the_window_go_to_the_check_step(
    window: MainWindow, tmp_path: Path
) -> None:
    page = next(p for p in window.pages if isinstance(p, PublishPage))
    await page.show_context(None)
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "a-1.0-py3-none-any.whl").write_bytes(b"x")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dist))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # Qt delivers a Drop only during a real drag (QApplication.sendEvent drops it),
    # so the filter the page put on the window is handed the event as Qt would.
    assert window.acceptDrops()
    assert page.drop_filter.eventFilter(window, event)
    assert page.step is Step.CHECK
    assert cells(page, 0) == ["a-1.0-py3-none-any.whl"]
    assert not page.primary_button.isEnabled()  # no index to check against yet
    text_only = QMimeData()
    text_only.setText("hello")
    other = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        text_only,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    assert not page.drop_filter.eventFilter(window, other)
    await settle(window)
