"""Which indexes have the maintainer API, and which web page stands in where none does."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pypidesk.client.errors import IndexUnreachableError
from pypidesk.client.local_index import find_free_port
from pypidesk.client.manage_support import ManagePage, has_manage_api, is_warehouse, web_page
from pypidesk.client.profiles import PYPI, TESTPYPI, Profile, local_profile
from tests.conftest import LiveServer


def test_pypi_and_testpypi_have_their_own_manage_pages() -> None:
    assert web_page(PYPI, ManagePage.TOKENS) == "https://pypi.org/manage/account/token/"
    assert web_page(TESTPYPI, ManagePage.INVITATIONS) == "https://test.pypi.org/manage/projects/"
    assert web_page(PYPI, ManagePage.ACTIVITY) == "https://pypi.org/manage/account/"
    custom = Profile(
        "mirror of pypi", "https://pypi.org/simple/", "https://upload.pypi.org/legacy/"
    )
    assert is_warehouse(custom)
    pypiserver = Profile("team", "http://10.0.0.1:8080/simple/", "http://10.0.0.1:8080/")
    assert web_page(pypiserver, ManagePage.TOKENS) is None


async def test_a_pypidesk_index_has_the_api(live_server: LiveServer) -> None:
    async with httpx.AsyncClient() as http:
        assert await has_manage_api(http, local_profile(live_server.url))
        # Known not to: PyPI is not even asked (no network in this test).
        assert not await has_manage_api(http, PYPI)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, False),  # 404, as pypiserver answers
        (b"<html>not json</html>", False),
        (b'{"flags": []}', False),
        (b"[1]", False),
        (b'{"flags": {}}', True),
    ],
)
async def test_other_indexes_are_told_apart_by_their_answer(
    static_server: tuple[str, Path], content: bytes | None, expected: bool
) -> None:
    url, root = static_server
    if content is not None:
        (root / "api" / "v1").mkdir(parents=True)
        (root / "api" / "v1" / "flags").write_bytes(content)
    profile = Profile("other", url + "/simple/", url + "/legacy/")
    async with httpx.AsyncClient() as http:
        assert await has_manage_api(http, profile) is expected


async def test_no_answer_is_not_the_same_as_no_api() -> None:
    url = f"http://127.0.0.1:{find_free_port()}"
    async with httpx.AsyncClient() as http:
        with pytest.raises(IndexUnreachableError):
            await has_manage_api(http, Profile("gone", url + "/simple/", url + "/legacy/"))


def test_pypi_has_a_manage_page_per_project_and_release() -> None:
    from pypidesk.client.manage_support import ProjectPage, project_web_page

    assert project_web_page(PYPI, ProjectPage.COLLABORATORS, "demo-lib") == (
        "https://pypi.org/manage/project/demo-lib/collaboration/"
    )
    assert project_web_page(TESTPYPI, ProjectPage.RELEASES, "demo-lib") == (
        "https://test.pypi.org/manage/project/demo-lib/releases/"
    )
    assert project_web_page(PYPI, ProjectPage.RELEASES, "demo-lib", "1.0") == (
        "https://pypi.org/manage/project/demo-lib/release/1.0/"
    )
    assert project_web_page(PYPI, ProjectPage.SETTINGS, "a/b") == (
        "https://pypi.org/manage/project/a%2Fb/settings/"
    )
    assert project_web_page(PYPI, ProjectPage.HISTORY, "x") == (
        "https://pypi.org/manage/project/x/history/"
    )
    pypiserver = Profile("team", "http://10.0.0.1:8080/simple/", "http://10.0.0.1:8080/")
    assert project_web_page(pypiserver, ProjectPage.RELEASES, "x", "1.0") is None
