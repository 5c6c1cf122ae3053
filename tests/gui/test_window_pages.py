"""The window with all its pages: the invitations badge, and a released window starting nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from pypidesk.client.credentials import CredentialStore
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.local_index import LocalIndexController
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.pages.invitations import InvitationsPage
from pypidesk.gui.session import Reachability, Session
from tests.gui.frame_helpers import make_window, release


@pytest.fixture
async def window(app_settings: AppSettings, tmp_path: Path) -> AsyncIterator[MainWindow]:
    async with httpx.AsyncClient(timeout=5) as http:
        controller = LocalIndexController(app_settings.local_index_data_dir, http)
        session = Session(app_settings, http, CredentialStore())
        window = make_window(controller, app_settings, session, tmp_path / "log")
        window.show()
        try:
            yield window
        finally:
            await release(window)


def labels(window: MainWindow) -> list[str]:
    return [window.page_list.item(row).text() for row in range(window.page_list.count())]


async def test_pending_invitations_are_counted_beside_the_page_name(window: MainWindow) -> None:
    (row,) = [row for row, page in enumerate(window.pages) if isinstance(page, InvitationsPage)]
    page = window.pages[row]
    assert isinstance(page, InvitationsPage)
    page.count_changed.emit(2)
    assert window.page_list.item(row).text() == "Invitations (2)"
    assert labels(window).count("Invitations (2)") == 1  # no other row changed
    page.count_changed.emit(0)
    assert window.page_list.item(row).text() == "Invitations"


async def test_a_released_window_starts_no_more_work(window: MainWindow) -> None:
    await window.wait_for_pages()
    seen: list[IndexContext | None] = []

    async def record(context: IndexContext | None) -> None:
        seen.append(context)

    for page in window.pages:
        page.show_context = record  # type: ignore[method-assign]
    await window.release_pages()  # before close: safe, and from now on final
    assert seen == [None] * len(window.pages)

    # The session changing afterwards (a late answer) reaches no page.
    window.session._set(reachability=Reachability.REACHABLE)
    assert window.session.context() is not None
    await window.wait_for_pages()
    assert seen == [None] * len(window.pages)

    # Nor does a click: the coroutine is closed, not left un-awaited.
    window.retry_button.click()
    assert window._tasks == set()

    await window.release_pages()  # a second time: the pages are released again, no harm
    assert seen == [None] * (2 * len(window.pages))
    window.close()  # and closing afterwards too


async def test_a_page_can_bring_another_to_the_front(window: MainWindow) -> None:
    await window.wait_for_pages()
    names = [page.objectName() for page in window.pages]
    projects = window.pages[names.index("projectsPage")]
    window.page_list.setCurrentRow(names.index("projectsPage"))
    projects.open_page.emit("publish_page")
    assert window.current_page.objectName() == "publish_page"
    projects.open_page.emit("no-such-page")  # an unknown name changes nothing
    assert window.current_page.objectName() == "publish_page"
