"""The Publish page's other paths: folders, drops, failures, Cancel, a staged target."""

from __future__ import annotations

import asyncio
import dataclasses
import zipfile
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtWidgets import QFileDialog

from pypidesk.client.profiles import Profile, local_profile
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.dialogs.promote_dialog import PromoteDialog
from pypidesk.gui.pages import publish as publish_module
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.pages.publish import PublishPage, last_words
from pypidesk.gui.pages.publish_widgets import Step
from pypidesk.publish.distfile import DistInfo
from pypidesk.publish.upload import Outcome, ProgressSink, Publisher
from tests.gui.frame_helpers import until
from tests.gui.manage_fixtures import Dialogs
from tests.gui.publish.conftest import alice, cells, simple_files
from tests.publish.conftest import built_files
from tests.publish.live import PublishIndex
from tests.publish.projects import make_project


async def test_the_folder_comes_from_the_chooser_or_the_recent_list(
    page: PublishPage, tmp_path: Path, app_settings: AppSettings, dialogs: Dialogs
) -> None:
    first = make_project(tmp_path / "first")
    second = make_project(tmp_path / "second")
    choosing = asyncio.ensure_future(publish_module.ask_folder(page, first))
    dialog = await dialogs.next(QFileDialog)
    dialog.reject()
    assert await choosing is None
    # The chooser opens in the last folder used; accepting it as it is takes that folder.
    app_settings.remember_publish_folder(first.resolve())
    choosing = asyncio.ensure_future(page.choose_folder())
    dialog = await dialogs.next(QFileDialog)
    dialog.done(QFileDialog.DialogCode.Accepted)
    await choosing
    assert page.folder == first.resolve()
    assert page.step is Step.BUILD

    async def chosen(_parent: object, start: Path | None) -> Path:
        assert start == first.resolve()  # the chooser opens where the last folder was
        return second

    publish_module_ask = publish_module.ask_folder
    publish_module.ask_folder = chosen  # type: ignore[assignment]
    try:
        page.choose_button.click()
        await until(lambda: page.folder == second.resolve())
    finally:
        publish_module.ask_folder = publish_module_ask
    assert app_settings.recent_publish_folders == [second.resolve(), first.resolve()]
    assert [page.folder_combo.itemText(i) for i in range(2)] == [
        str(second.resolve()),
        str(first.resolve()),
    ]
    page.folder_combo.activated.emit(1)
    assert page.folder == first.resolve()
    page.reset_button.click()
    assert (page.step, page.folder, page.rows) == (Step.SOURCE, None, [])
    assert page.primary_button.text() == "Choose a project folder…"


async def test_dropped_files_that_are_no_distributions_are_said_so_at_the_check(
    page: PublishPage, tmp_path: Path, publish_index: PublishIndex, http: httpx.AsyncClient
) -> None:
    await page.show_context(alice(publish_index, http))
    page.use_dist_files([tmp_path / "nothing.txt"])
    assert page.banner.text() == "Nothing to publish there: drop .whl or .tar.gz files."
    broken = tmp_path / "broken-1.0-py3-none-any.whl"
    broken.write_bytes(b"not a zip")
    page.use_dist_files([broken])
    assert page.banner.text() == "1 file ready to check."
    page.primary_button.click()
    await until(lambda: not page.busy and "cannot be published" in page.banner.text())
    assert page.step is Step.CHECK
    assert "broken-1.0-py3-none-any.whl" in page.banner.text()


async def test_files_already_there_are_skipped_and_other_bytes_are_not_promoted(  # noqa: PLR0917
    page: PublishPage,
    tmp_path: Path,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    project_name: str,
    extra_profiles: list[Profile],
    target_tokens: dict[str, str],
    dialogs: Dialogs,
) -> None:
    await page.show_context(alice(publish_index, http))
    files = await built_files(make_project(tmp_path / "p", project_name))
    page.use_dist_files(files)
    await page.check()
    await page.publish()
    # The same files again: the check sees them there; publishing skips them.
    page.use_dist_files(files)
    await page.check()
    assert "2 of them already on the index with the same bytes" in page.banner.text()
    assert cells(page, 5) == ["already there, same bytes: will be skipped"] * 2
    await page.publish()
    assert cells(page, 6) == ["skipped: already there"] * 2
    assert page.step is Step.TRY

    # Promote to the same index under another name, after the wheel changed on disk.
    mirror = dataclasses.replace(local_profile(publish_index.url), name="Mirror")
    extra_profiles.append(mirror)
    target_tokens["Mirror"] = publish_index.alice
    wheel = next(p for p in files if p.suffix == ".whl")
    with zipfile.ZipFile(wheel, "a") as archive:
        archive.writestr("extra.py", "X = 1\n")
    promoting = asyncio.ensure_future(page.promote())
    (await dialogs.next(PromoteDialog)).promote_button.click()
    await promoting
    assert page.banner.text().startswith("Not promoted: " + wheel.name)

    promoting = asyncio.ensure_future(page.promote())
    (await dialogs.next(PromoteDialog)).reject()
    await promoting
    assert page.banner.text().startswith("Not promoted")  # nothing happened


async def test_a_release_whose_import_fails_says_so_after_try_it(
    page: PublishPage,
    tmp_path: Path,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    project_name: str,
) -> None:
    await page.show_context(alice(publish_index, http))
    folder = make_project(tmp_path / "bad", project_name, module_body="import no_such_dep\n")
    page.use_dist_files([p for p in await built_files(folder) if p.suffix == ".whl"])
    await page.check()
    await page.publish()
    page.command_field.setText("false")
    await page.try_it()
    text = page.banner.text()
    assert text.startswith("Installed, but the try failed: ")
    assert "ModuleNotFoundError" in text
    assert "the command exited with 1" in text
    assert page.step is Step.TRY


async def test_another_index_in_the_toolbar_sends_a_published_release_back_to_check(
    page: PublishPage, publish_index: PublishIndex, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    await page.show_context(alice(publish_index, http))
    page.published = [DistInfo(tmp_path / "a-1.0.tar.gz", "a", "1.0", "sdist", 1, "0" * 64)]
    page.step = Step.TRY
    other = IndexContext(dataclasses.replace(local_profile(publish_index.url), name="B"), http)
    await page.show_context(other)
    assert page.step is Step.CHECK
    assert page.published == []
    await page.show_context(None)
    assert not page.primary_button.isEnabled()
    assert page.target_label.text().startswith("No index to publish to")


class StagedPublisher:
    """A publisher whose release appears at once (PEP 694 sessions will be one)."""

    all_at_once = True

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def publish(self, files: Sequence[DistInfo], on_progress: ProgressSink) -> list[Outcome]:
        self.sent += [f.filename for f in files]
        return [Outcome.UPLOADED for _ in files]


async def test_a_staged_publisher_slots_in_and_the_page_says_all_at_once(
    qtbot: object,
    app_settings: AppSettings,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    staged = StagedPublisher()

    def make(_context: IndexContext, _skip: bool) -> Publisher:
        return staged

    async def no_credentials(_profile: Profile) -> tuple[None, None]:
        return None, None

    page = PublishPage(
        settings=app_settings, profiles=list, credentials=no_credentials, make_publisher=make
    )
    try:
        await page.show_context(alice(publish_index, http))
        assert "appears at once" in page.target_label.text()
        files = await built_files(make_project(tmp_path / "s", "staged-demo"))
        page.use_dist_files(files)
        await page.check()
        await page.publish()
        assert sorted(staged.sent) == sorted(p.name for p in files)
        assert "all at once" in page.banner.text()
        assert await simple_files(http, publish_index.url, "staged-demo") == []
    finally:
        await page.wait_idle()
        page.deleteLater()


async def test_closing_the_window_mid_build_stops_the_build(
    page: PublishPage, tmp_path: Path
) -> None:
    folder = make_project(tmp_path / "slow")
    (folder / "slow_backend.py").write_text(
        "import time\n"
        "def get_requires_for_build_sdist(c=None):\n    print('waiting', flush=True)\n"
        "    time.sleep(600)\n    return []\n"
    )
    text = (folder / "pyproject.toml").read_text()
    (folder / "pyproject.toml").write_text(
        text.replace('"hatchling.build"', '"slow_backend"\nbackend-path = ["."]')
    )
    page.use_folder(folder)
    page.isolation_box.setChecked(True)
    building = asyncio.ensure_future(page.build())
    await until(lambda: "waiting" in page.log.lines())
    page.cancel()
    await building
    assert page.banner.text() == "Cancelled."
    assert page.step is Step.BUILD
    building = asyncio.ensure_future(page.build())
    await until(lambda: page.busy and "waiting" in page.log.lines())
    building.cancel()  # as the window's shutdown cancels the page's work
    with pytest.raises(asyncio.CancelledError):
        await building
    assert not page.busy
    page.cancel()  # nothing runs: nothing happens


def test_a_failed_build_quotes_the_log_without_its_stack_frames() -> None:
    log = [
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        "    import nothing",
        "    ^^^^^^^^^^^^^^",
        "ModuleNotFoundError: No module named 'nothing'",
        "",
        "ERROR Backend 'nothing' is not available.",
    ]
    assert last_words(log) == [
        "ModuleNotFoundError: No module named 'nothing'",
        "ERROR Backend 'nothing' is not available.",
    ]


def test_drags_of_dist_files_are_welcome_and_others_not(page: PublishPage, tmp_path: Path) -> None:
    kept: list[QMimeData] = []  # the event holds a plain pointer to its data

    def drag(urls: list[QUrl]) -> QDragEnterEvent:
        mime = QMimeData()
        mime.setUrls(urls)
        kept.append(mime)
        return QDragEnterEvent(
            QPointF(5, 5).toPoint(),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )

    wheel = tmp_path / "a-1.0-py3-none-any.whl"
    wheel.write_bytes(b"x")
    assert page.drop_filter.eventFilter(page, drag([QUrl.fromLocalFile(str(wheel))]))
    assert not page.drop_filter.eventFilter(page, drag([QUrl("https://example.org/a.whl")]))
    assert not page.drop_filter.eventFilter(page, drag([]))


def test_the_promote_dialog_without_targets_cannot_promote(qtbot: object) -> None:
    dialog = PromoteDialog([], [])
    try:
        assert dialog.target() is None
        assert not dialog.promote_button.isEnabled()
        assert dialog.promote_button.text() == "Promote"
    finally:
        dialog.deleteLater()
