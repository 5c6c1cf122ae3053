"""Publish tests: a live index with a signed-in user, and tiny projects built for real."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from pypidesk.publish.build import build
from tests.client.live_indexes import pypiserver_index  # noqa: F401 - a fixture
from tests.publish.live import PublishIndex, project_name, publish_index  # noqa: F401
from tests.publish.projects import make_project


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def built_files(folder: Path) -> list[Path]:
    lines: list[str] = []
    return await build(folder, on_line=lines.append, isolation=False)


@pytest.fixture
async def tiny_dists(tmp_path: Path, project_name: str) -> list[Path]:  # noqa: F811
    """``project_name`` 0.1.0's wheel and sdist, built by the real pypa build."""
    return await built_files(make_project(tmp_path / "tiny", project_name))


@pytest.fixture
def users(publish_index: PublishIndex) -> PublishIndex:  # noqa: F811
    return publish_index
