"""What the Publish page does when a step is asked for out of turn, and its small texts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt

from pypidesk.gui.pages import publish as publish_module
from pypidesk.gui.pages.publish import PublishPage, describe
from pypidesk.gui.pages.publish_widgets import FileRow, Step
from pypidesk.publish.checks import FileCheck
from pypidesk.publish.distfile import DistInfo
from pypidesk.publish.errors import NotAProjectError
from pypidesk.publish.tryit import TryItResult
from tests.gui.manage_fixtures import Dialogs


async def test_steps_asked_out_of_turn_do_nothing(page: PublishPage, tmp_path: Path) -> None:
    await page.build()  # no folder
    await page.check()  # no index, no files
    await page.publish()  # not at the publish step
    await page.try_it()  # nothing published
    await page.promote()  # nothing published
    assert page.step is Step.SOURCE
    assert page.banner.isHidden()
    page.step = Step.CHECK
    page._update()
    assert not page.primary_button.isEnabled()  # no index to check against
    page.primary_shortcut.activated.emit()  # Ctrl+P while disabled
    assert not page._tasks


async def test_a_cancelled_chooser_changes_nothing_and_the_page_waits_for_its_clicks(
    page: PublishPage, dialogs: Dialogs, tmp_path: Path
) -> None:
    page.primary_button.click()  # "Choose a project folder…"
    dialog = await dialogs.next(publish_module.QFileDialog)
    dialog.reject()
    await page.wait_idle()
    assert page.folder is None
    assert page.step is Step.SOURCE


async def test_drops_while_a_step_runs_are_ignored(page: PublishPage, tmp_path: Path) -> None:
    wheel = tmp_path / "a-1.0-py3-none-any.whl"
    wheel.write_bytes(b"x")
    running: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    page._task = running  # type: ignore[assignment]
    try:
        page.use_dist_files([wheel])
        assert page.rows == []
    finally:
        page._task = None
        running.cancel()


def test_the_check_column_shows_warnings_and_the_tooltip_everything(
    page: PublishPage, tmp_path: Path
) -> None:
    path = tmp_path / "a-1.0.tar.gz"
    dist = DistInfo(path, "a", "1.0", "sdist", 3, "0" * 64)
    page.rows = [FileRow(path, FileCheck(path, dist, warnings=("no description",)))]
    page._show_rows()
    cell = page.model.index(0, 4)
    assert cell.data() == "OK (no description)"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "no description"


def test_texts_for_failures(page: PublishPage, tmp_path: Path) -> None:
    assert describe(NotAProjectError(tmp_path)).startswith(str(tmp_path))
    assert page.try_problems(TryItResult((), (), 0)) == ["no importable module was found"]
    assert page.try_problems(TryItResult(("a",), (), 2)) == ["the command exited with 2"]
