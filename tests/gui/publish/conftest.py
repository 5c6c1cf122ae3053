"""Publish page fixtures: the shared live index, per-test project names, dialogs as they open."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pypidesk.client.profiles import Profile, local_profile
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.pages.publish import PublishPage, legacy_publisher
from tests.gui.manage_fixtures import dialogs, http
from tests.publish.live import PublishIndex, project_name, publish_index

__all__ = ["dialogs", "http", "project_name", "publish_index"]


def cells(page: PublishPage, column: int) -> list[str]:
    model = page.model
    return [model.index(row, column).data() for row in range(model.rowCount())]


async def simple_files(http: httpx.AsyncClient, url: str, name: str) -> list[str]:
    response = await http.get(
        f"{url}/simple/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    if response.status_code == 404:
        return []
    return [f["filename"] for f in response.json()["files"]]


def alice(index: PublishIndex, http: httpx.AsyncClient) -> IndexContext:
    return IndexContext(local_profile(index.url), http, "alice", index.alice)


@pytest.fixture
def extra_profiles() -> list[Profile]:
    return []


@pytest.fixture
def target_tokens() -> dict[str, str]:
    """Tokens for promote targets, by profile name (others get a pypiserver password)."""
    return {}


@pytest.fixture
async def page(
    qtbot: QtBot,
    http: httpx.AsyncClient,
    app_settings: AppSettings,
    extra_profiles: list[Profile],
    target_tokens: dict[str, str],
) -> AsyncIterator[PublishPage]:
    async def credentials(profile: Profile) -> tuple[str | None, str | None]:
        return ("anyone", target_tokens.get(profile.name, "anything"))

    widget = PublishPage(
        settings=app_settings,
        profiles=lambda: list(extra_profiles),
        credentials=credentials,
        # These tests walk the legacy (file by file) path on the local index, which
        # offers sessions too: the staged path has its own tests.
        make_publisher=legacy_publisher,
    )
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    yield widget
    await widget.wait_idle()
