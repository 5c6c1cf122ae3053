"""The Publish page on an index with sessions: stage, try from the stage, publish or discard.

The local index offers PEP 694 sessions, so the page picks the staged path on
its own; everything runs against the live index with a real project built
without isolation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pypidesk.client.profiles import Profile, local_profile
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.pages.publish import PublishPage, staged_publisher
from pypidesk.gui.pages.publish_widgets import Step
from pypidesk.publish.distfile import DistInfo
from pypidesk.publish.staged import StagedPublisher
from pypidesk.publish.upload import Outcome, ProgressSink, Publisher
from tests.gui.frame_helpers import until
from tests.gui.publish.conftest import alice, cells, simple_files
from tests.publish.conftest import built_files
from tests.publish.live import PublishIndex
from tests.publish.projects import make_project

SIMPLE_JSON = {"Accept": "application/vnd.pypi.simple.v1+json"}


async def no_credentials(_profile: Profile) -> tuple[None, None]:
    return None, None


@pytest.fixture
async def staged_page(qtbot: QtBot, app_settings: AppSettings) -> AsyncIterator[PublishPage]:
    """The page as the window makes it: the publisher is chosen from what the index offers."""
    widget = PublishPage(settings=app_settings, profiles=list, credentials=no_credentials)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    yield widget
    await widget.wait_idle()


async def stage(page: PublishPage, tmp_path: Path, name: str) -> list[Path]:
    files = await built_files(make_project(tmp_path / "project", name))
    page.use_dist_files(files)
    await page.check()
    assert page.primary_button.text() == "Stage on Local test index"
    page.primary_button.click()
    await until(lambda: not page.busy and page.step is not Step.PUBLISH)
    assert page.step is Step.STAGED, page.banner.text()
    return files


async def stage_links(http: httpx.AsyncClient, page: PublishPage, name: str) -> list[str]:
    assert page.stage is not None
    assert page.stage.stage_url is not None
    response = await http.get(f"{page.stage.stage_url}{name}/", headers=SIMPLE_JSON)
    response.raise_for_status()
    return [f["url"] for f in response.json()["files"]]


async def test_staged_release_is_tried_from_the_stage_then_published_all_at_once(
    staged_page: PublishPage,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    tmp_path: Path,
    project_name: str,
) -> None:
    page = staged_page
    await page.show_context(alice(publish_index, http))
    assert "staged first; the whole release appears at once on Publish" in (
        page.target_label.text()
    )
    files = await stage(page, tmp_path, project_name)
    assert page.banner.text().startswith(
        f"Staged {project_name} 0.1.0 on Local test index: 2 files"
    )
    assert cells(page, 6) == ["staged", "staged"]
    assert cells(page, 5) == ["new", "new"]  # not on the index yet
    assert f"({publish_index.url}/upload/2.0-draft/)" in page.target_label.text()
    # Nothing is public yet: the Simple API does not know the project.
    assert await simple_files(http, publish_index.url, project_name) == []
    assert len(await stage_links(http, page, project_name)) == 2
    assert page.primary_button.text() == "Try it"
    assert page.release_button.isVisible()
    assert page.discard_button.isVisible()
    assert not page.try_button.isVisible()
    assert not page.promote_button.isVisible()
    assert not page.reset_button.isEnabled()
    assert not page.choose_button.isEnabled()
    page.use_dist_files(files)  # a drop while staged changes nothing
    assert page.step is Step.STAGED

    page.command_field.setText(f"{project_name}-hello")
    page.primary_button.click()
    await until(lambda: not page.busy and page.stage_tried, 300)
    package = project_name.replace("-", "_")
    assert page.banner.text() == (
        f"{project_name} 0.1.0 installed from the stage and imported: {package}."
    )
    assert f"hello from {project_name}" in page.log.lines()
    assert await simple_files(http, publish_index.url, project_name) == []
    assert page.primary_button.text() == "Publish the release"
    assert page.try_button.isVisible()
    assert not page.release_button.isVisible()

    page.primary_button.click()
    await until(lambda: not page.busy and page.step is Step.PROMOTE)
    assert page.banner.text() == (
        f"Published {project_name} 0.1.0 to Local test index: 2 files, all at once."
    )
    assert cells(page, 6) == ["published", "published"]
    assert cells(page, 5) == ["already there, same bytes: will be skipped"] * 2
    assert sorted(await simple_files(http, publish_index.url, project_name)) == sorted(
        p.name for p in files
    )
    assert page.stage is None
    assert not page.promote_button.isVisible()
    assert page.primary_button.text() == "Promote…"


async def test_discard_leaves_nothing_on_the_index(
    staged_page: PublishPage,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    tmp_path: Path,
    project_name: str,
) -> None:
    page = staged_page
    await page.show_context(alice(publish_index, http))
    await stage(page, tmp_path, project_name)
    links = await stage_links(http, page, project_name)
    assert [(await http.get(url)).status_code for url in links] == [200, 200]
    page.discard_button.click()
    await until(lambda: not page.busy and page.step is Step.CHECK)
    assert page.banner.text() == (
        f"Discarded the stage: nothing of {project_name} 0.1.0 is left on Local test index."
    )
    assert cells(page, 6) == ["discarded", "discarded"]
    response = await http.get(f"{publish_index.url}/simple/{project_name}/")
    assert response.status_code == 404
    assert [(await http.get(url)).status_code for url in links] == [404, 404]
    # Published straight away instead, the release stages again from the Check step.
    await page.check()
    assert page.primary_button.text() == "Stage on Local test index"


async def test_the_stage_goes_when_the_toolbar_switches_index(
    staged_page: PublishPage,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    tmp_path: Path,
    project_name: str,
) -> None:
    page = staged_page
    await page.show_context(alice(publish_index, http))
    await stage(page, tmp_path, project_name)
    links = await stage_links(http, page, project_name)
    # The same index again (a refresh): the stage stays.
    await page.show_context(alice(publish_index, http))
    assert page.step is Step.STAGED
    assert [(await http.get(url)).status_code for url in links] == [200, 200]
    await page.show_context(None)
    assert Step(page.step) is Step.CHECK  # (re-read: mypy keeps the narrowing above)
    assert page.stage is None
    assert [(await http.get(url)).status_code for url in links] == [404, 404]
    assert await simple_files(http, publish_index.url, project_name) == []
    # Nothing staged: Publish and Discard have nothing to do.
    await page.release()
    await page.discard()
    assert Step(page.step) is Step.CHECK
    # Without a token there is no session to open: the page uploads file by file.
    await page.show_context(IndexContext(local_profile(publish_index.url), http))
    assert "file by file" in page.target_label.text()


class CancelledStage(StagedPublisher):
    """The real staged publisher, with the user pressing Cancel as the second file starts."""

    def __init__(self, page: PublishPage, context: IndexContext) -> None:
        assert context.token is not None
        super().__init__(staged_publisher(context, context.token).staging)
        self.page = page
        self.calls = 0

    async def publish(self, files: Sequence[DistInfo], on_progress: ProgressSink) -> list[Outcome]:
        self.calls += 1
        if self.calls == 2:
            self.page.cancel()
        return await super().publish(files, on_progress)


async def test_cancel_while_staging_discards_every_staged_file(  # noqa: PLR0917 - fixtures
    app_settings: AppSettings,
    qtbot: QtBot,
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    tmp_path: Path,
    project_name: str,
) -> None:
    made: list[CancelledStage] = []

    def make(context: IndexContext, _skip: bool) -> Publisher:
        made.append(CancelledStage(page, context))
        return made[-1]

    page = PublishPage(
        settings=app_settings, profiles=list, credentials=no_credentials, make_publisher=make
    )
    qtbot.addWidget(page)
    try:
        await page.show_context(alice(publish_index, http))
        files = await built_files(make_project(tmp_path / "project", project_name))
        page.use_dist_files(files)
        await page.check()
        await page.publish()
        assert page.banner.text() == "Cancelled."
        assert page.step is Step.CHECK
        assert cells(page, 6) == ["not stored", "not stored"]
        sending = made[-1]
        assert sending.session is None  # discarded
        assert await simple_files(http, publish_index.url, project_name) == []
    finally:
        await page.wait_idle()


def test_a_staged_step_shows_under_publish_in_the_step_bar(staged_page: PublishPage) -> None:
    staged_page.steps.show_step(Step.STAGED)
    bold = [label.font().bold() for label in staged_page.steps.labels]
    assert bold == [False, False, False, True, False]
