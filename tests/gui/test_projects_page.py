"""The Projects page against live indexes: what twine uploaded, as a maintainer sees it."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QSplitter,
    QTabBar,
    QTabWidget,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pypidesk.client.index_client import IndexClient
from pypidesk.client.local_index import find_free_port
from pypidesk.client.models import ProjectDetail, ReleaseInfo
from pypidesk.client.profiles import Profile, ProfileKind, local_profile
from pypidesk.gui.models.projects import FilesModel, ReleasesModel
from pypidesk.gui.pages import project_detail
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.pages.projects import ProjectsPage
from pypidesk.gui.signals import next_emission
from tests.client.live_indexes import PublishedIndex, PypiServer, admin, sha256, upload
from tests.conftest import LiveServer
from tests.e2e.upload_helpers import PASSWORD
from tests.index.upload.dists import make_wheel


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
async def page(qtbot: QtBot, http: httpx.AsyncClient) -> AsyncIterator[ProjectsPage]:
    """The page; ``http`` is asked for so that it closes after the page's loads end."""
    widget = ProjectsPage()
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    yield widget
    # Loads a click started end before the loop and the HTTP client close.
    await widget.wait_idle()


def alice(index: PublishedIndex, http: httpx.AsyncClient) -> IndexContext:
    return IndexContext(local_profile(index.url), http, "alice", index.alice_token)


def pypiserver_context(server: PypiServer, http: httpx.AsyncClient, **kw: object) -> IndexContext:
    profile = Profile("Team index", server.url + "/simple/", server.url + "/", **kw)  # type: ignore[arg-type]
    return IndexContext(profile, http)


def cells(view: QAbstractItemView) -> list[list[str]]:
    model = view.model()
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


async def test_shows_my_projects_with_role_latest_version_and_last_upload(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    messages: list[str] = []
    busy: list[bool] = []
    page.status_message.connect(messages.append)
    page.busy_changed.connect(busy.append)
    await page.show_context(alice(published_index, http))
    assert page.stack.currentIndex() == page.LIST
    assert [row[:3] for row in cells(page.table)] == [
        ["demo-lib", "Owner", "1.1"],
        ["tools-x", "Maintainer", "0.9.1"],
    ]
    # Uploaded by the session's fixture, moments or minutes ago.
    assert cells(page.table)[0][3] == "just now" or cells(page.table)[0][3].endswith(" ago")
    assert messages == ["2 projects"]
    assert busy[0] is True
    assert busy[-1] is False
    # The first project is opened at once.
    assert page.selected_project() == "demo-lib"
    assert page.detail.header.text() == "demo-lib 1.1"


async def test_releases_files_and_copy_sha256(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    await page.show_context(alice(published_index, http))
    detail = page.detail
    releases = cells(detail.releases_view)
    assert [r[0] for r in releases] == ["2.0", "1.1", "1.0"]
    assert releases[0][ReleasesModel.STATUS] == "yanked: bad ABI"
    assert releases[1][ReleasesModel.STATUS] == "—"
    assert [r[ReleasesModel.FILES] for r in releases] == ["1", "1", "2"]
    detail.releases_view.select_row(2)
    files = cells(detail.files_view)
    uploaded = {d.filename: d for d in published_index.dists["1.0"]}
    assert sorted(f[FilesModel.FILENAME] for f in files) == sorted(uploaded)
    for row in files:
        dist = uploaded[row[FilesModel.FILENAME]]
        assert row[FilesModel.SHA256] == sha256(dist)
        assert row[FilesModel.KIND] == ("wheel" if dist.filename.endswith(".whl") else "sdist")
        assert row[FilesModel.PYTHON] == ("py3" if dist.filename.endswith(".whl") else "source")
        assert row[FilesModel.SIZE].endswith((" kB", " bytes"))
    detail.files_view.select_row(1)
    chosen = detail.selected_file()
    assert chosen is not None
    detail.copy_sha_button.click()
    assert QGuiApplication.clipboard().text() == chosen.sha256


async def test_file_link_and_description_links_open_in_the_browser(
    page: ProjectsPage,
    published_index: PublishedIndex,
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(project_detail, "open_url", lambda url: opened.append(url.toString()))
    await page.show_context(alice(published_index, http))
    detail = page.detail
    detail.open_file_button.click()
    file = detail.selected_file()
    assert file is not None
    assert opened == [file.url]
    assert (await http.get(file.url)).status_code == 200
    html = detail.description.toHtml()
    assert "Demo lib" in detail.description.toPlainText()
    assert "tables" in detail.description.toPlainText()
    assert "docs.example.org" in html
    detail.description.anchorClicked.emit(QUrl("https://docs.example.org/demo"))
    assert opened[-1] == "https://docs.example.org/demo"


async def test_filtering_as_you_type(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient, qtbot: QtBot
) -> None:
    await page.show_context(alice(published_index, http))
    reset = next_emission(page.model.modelReset)
    qtbot.keyClicks(page.filter_edit, "TOOLS")
    await reset  # after the typing pause
    assert [row[0] for row in cells(page.table)] == ["tools-x"]
    page.filter_edit.setText("nothing like it")
    page.apply_filter()
    assert page.model.rowCount() == 0
    assert not page.no_match.isHidden()
    assert "nothing like it" in page.no_match.text()
    page.filter_edit.clear()
    page.apply_filter()
    assert page.model.rowCount() == 2
    assert page.no_match.isHidden()


async def test_ctrl_f_focuses_the_filter_and_ctrl_c_copies_rows(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    await page.show_context(alice(published_index, http))
    assert page._focus_filter.key() == QKeySequence(QKeySequence.StandardKey.Find)
    page.filter_edit.setText("demo")
    page._focus_filter.activated.emit()
    assert page.filter_edit.selectedText() == "demo"
    page.filter_edit.clear()
    page.apply_filter()
    page.table.selectAll()
    # Selecting starts loading the first selected project; let it finish here.
    await page.wait_idle()
    page.table.copy_selection()
    lines = QGuiApplication.clipboard().text().splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        ["demo-lib", "Owner", "1.1"],
        ["tools-x", "Maintainer", "0.9.1"],
    ]


async def test_sorting_by_a_column_keeps_the_selection(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    await page.show_context(alice(published_index, http))
    header = page.table.horizontalHeader()
    from PySide6.QtCore import Qt

    header.setSortIndicator(1, Qt.SortOrder.AscendingOrder)  # by role: Maintainer < Owner
    assert [row[0] for row in cells(page.table)] == ["tools-x", "demo-lib"]
    assert page.selected_project() == "demo-lib"


async def test_no_projects_yet_shows_how_to_publish(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    profile = local_profile(published_index.url)
    await page.show_context(IndexContext(profile, http, "nobody", published_index.nobody_token))
    assert page.stack.currentIndex() == page.MESSAGE
    assert "You have no projects on Local test index yet" in page.message.text()
    assert page.command.text() == f"twine upload --repository-url {profile.upload_url} dist/*"
    assert page.retry_button.isHidden()
    page.copy_command_button.click()
    assert QGuiApplication.clipboard().text() == page.command.text()
    assert not page.publish_button.isHidden()
    asked: list[str] = []
    page.open_page.connect(asked.append)
    page.publish_button.click()
    assert asked == ["publish_page"]


async def test_pypi_without_a_user_says_to_sign_in(
    page: ProjectsPage, pypiserver_index: PypiServer, http: httpx.AsyncClient
) -> None:
    await page.show_context(pypiserver_context(pypiserver_index, http, kind=ProfileKind.PYPI))
    assert page.stack.currentIndex() == page.MESSAGE
    assert "sign in" in page.message.text()


async def test_unreachable_index_shows_the_error_and_recovers_on_retry(
    page: ProjectsPage,
    pypiserver_index: PypiServer,
    http: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    port = find_free_port()
    url = f"http://127.0.0.1:{port}"
    await page.show_context(IndexContext(Profile("Team index", url + "/simple/", url + "/"), http))
    assert page.stack.currentIndex() == page.MESSAGE
    assert f"Could not reach the index at {url}/" in page.message.text()
    assert not page.retry_button.isHidden()
    packages = tmp_path / "packages"
    packages.mkdir()
    for file in pypiserver_index.packages.iterdir():
        shutil.copy(file, packages)
    server = PypiServer(packages, port)
    try:
        listed = next_emission(page.projects_shown)
        shown = next_emission(page.project_shown)
        page.retry_button.click()
        assert await shown == ("demo-lib",)
        assert listed.result() == (1,)
        assert page.stack.currentIndex() == page.LIST
        assert cells(page.table)[0][0] == "demo-lib"
    finally:
        server.stop()


async def test_a_project_error_is_shown_in_the_detail_pane_with_retry(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    await page.show_context(alice(published_index, http))
    await page.load_project("no-such-project")
    assert "404" in page.detail.message.text()
    assert not page.detail.retry_button.isHidden()
    shown = next_emission(page.project_shown)
    page.detail.retry_button.click()  # loads the selected project again
    assert await shown == ("demo-lib",)


async def test_browsing_a_pypiserver_shows_unknowns_not_errors(
    page: ProjectsPage, pypiserver_index: PypiServer, http: httpx.AsyncClient
) -> None:
    await page.show_context(pypiserver_context(pypiserver_index, http))
    assert cells(page.table) == [["demo-lib", "unknown", "unknown", "unknown"]]
    detail = page.detail
    assert detail.header.text() == "demo-lib 1.1"
    releases = cells(detail.releases_view)
    assert [(r[0], r[ReleasesModel.STATUS]) for r in releases] == [
        ("1.1", "unknown"),
        ("1.0", "unknown"),
    ]
    detail.releases_view.select_row(1)
    files = {row[FilesModel.FILENAME]: row for row in cells(detail.files_view)}
    assert sorted(files) == sorted(
        f for f in pypiserver_index.dists if f.startswith("demo_lib-1.0")
    )
    for name, row in files.items():
        assert row[FilesModel.SHA256] == sha256(pypiserver_index.dists[name])
        assert row[FilesModel.SIZE] == "unknown"
    assert "Simple API" in detail.description.toPlainText()
    # No serial on pypiserver: polling never reloads.
    assert await page.poll_serial() is False


async def test_switching_to_no_index_stops_polling(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    await page.show_context(alice(published_index, http))
    assert page.poll_timer.isActive()
    assert await page.poll_serial() is False  # nothing changed
    await page.show_context(None)
    assert not page.poll_timer.isActive()
    assert page.model.rowCount() == 0
    assert page.message.text().startswith("Nothing to show: the index can't be reached")
    await page.refresh()  # harmless without an index
    await page.load_project("demo-lib")
    assert await page.poll_serial() is False


async def test_every_interactive_widget_is_named(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    await page.show_context(alice(published_index, http))
    interactive = (
        QAbstractButton,
        QLineEdit,
        QAbstractItemView,
        QTabWidget,
        QTabBar,
        QTextBrowser,
        QSplitter,
    )
    unnamed = [
        w
        for w in page.findChildren(QWidget)
        if isinstance(w, interactive)
        # Qt's own parts of a composite widget (header sections, the line edit's clear button).
        and not w.objectName().startswith("qt_")
        and not isinstance(w.parentWidget(), (QLineEdit, QAbstractItemView))
        and w.parentWidget() is not None
        and not type(w).__name__.startswith(("QHeaderView", "QTableCornerButton"))
        and not _inside_a_combo(w)
        and (not w.objectName() or not w.accessibleName())
    ]
    assert unnamed == []


def _inside_a_combo(widget: QWidget) -> bool:
    """A combo box's own popup list (the Activity tab's kind filter has one)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


async def test_a_new_upload_is_picked_up_when_the_serial_moves(
    page: ProjectsPage, live_server: LiveServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    data_dir = live_server.data_dir
    admin(data_dir, "create-user", "carol", "--email", "carol@example.org", stdin=PASSWORD)
    token = admin(
        data_dir, "create-token", "carol", "--permission", "manage", "--permission", "upload"
    )
    await page.show_context(IndexContext(local_profile(live_server.url), http, "carol", token))
    assert page.stack.currentIndex() == page.MESSAGE  # nothing yet
    assert await page.poll_serial() is False
    upload(live_server.url, [make_wheel("fresh-pkg", "0.1")], home=tmp_path, password=token)
    shown = next_emission(page.project_shown)
    page._poll()  # what the timer does every few seconds
    assert await shown == ("fresh-pkg",)
    await page.wait_idle()
    assert page.stack.currentIndex() == page.LIST
    assert cells(page.table)[0][:3] == ["fresh-pkg", "Owner", "0.1"]


async def test_answers_to_older_questions_are_dropped(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    busy: list[bool] = []
    page.busy_changed.connect(busy.append)
    await page.show_context(alice(published_index, http))
    await asyncio.gather(page.load_project("tools-x"), page.load_project("demo-lib"))
    assert page.detail.header.text() == "demo-lib 1.1"
    await asyncio.gather(page.load_project("no-such-project"), page.load_project("demo-lib"))
    assert page.detail.stack.currentIndex() == 0
    await asyncio.gather(page.refresh(), page.refresh())
    assert page.model.rowCount() == 2
    dead = f"http://127.0.0.1:{find_free_port()}"
    await asyncio.gather(
        page.show_context(IndexContext(local_profile(dead), http)),
        page.show_context(alice(published_index, http)),
    )
    assert page.stack.currentIndex() == page.LIST
    # Busy went on once and off once per burst, never flickering in between.
    assert busy == [True, False] * (len(busy) // 2)


async def test_a_failed_poll_waits_for_the_next_one(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    await page.show_context(alice(published_index, http))
    dead = f"http://127.0.0.1:{find_free_port()}"
    page.client = IndexClient(http, local_profile(dead))
    assert await page.poll_serial() is False
    assert page.stack.currentIndex() == page.LIST


async def test_a_filter_that_hides_everything_survives_a_refresh(
    page: ProjectsPage, published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    await page.show_context(alice(published_index, http))
    page.filter_edit.setText("zzz")
    page.apply_filter()
    await page.refresh()
    assert page.model.rowCount() == 0
    assert page.detail.message.text() == "Select a project to see its releases and files."
    page.table.clearSelection()
    page._project_changed()  # nothing selected: nothing to load
    await page.wait_idle()


async def test_an_unexpected_failure_in_a_click_is_reported(
    page: ProjectsPage,
    published_index: PublishedIndex,
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await page.show_context(alice(published_index, http))
    reported: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _t, error, _tb: reported.append(error))

    async def broken(name: str) -> None:
        raise RuntimeError(f"bug while loading {name}")

    monkeypatch.setattr(page, "load_project", broken)
    page.detail.retry_button.click()
    await page.wait_idle()
    assert [str(e) for e in reported] == ["bug while loading demo-lib"]


def test_a_project_without_releases_or_files(qtbot: QtBot) -> None:
    pane = project_detail.ProjectDetailPane()
    qtbot.addWidget(pane)
    pane.show_detail(ProjectDetail("empty", ()), "")
    assert pane.header.text() == "empty"
    assert pane.files_caption.text() == "No release selected."
    assert pane.description.toPlainText() == "This project has no description."
    pane.show_detail(ProjectDetail("bare", (ReleaseInfo("1.0", (), yanked=False),)), "")
    assert pane.files_caption.text() == "0 files in 1.0"
    assert not pane.copy_sha_button.isEnabled()
    assert not pane.open_file_button.isEnabled()
    QGuiApplication.clipboard().setText("before")
    pane.copy_selected_sha256()
    pane.open_selected_file()
    assert QGuiApplication.clipboard().text() == "before"
