"""IndexClient against a live pypidesk with twine uploads, and against a live pypiserver."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from pypidesk.client.errors import IndexUnreachableError, NotFoundError
from pypidesk.client.index_client import IndexClient
from pypidesk.client.local_index import find_free_port
from pypidesk.client.models import Capabilities, FileKind
from pypidesk.client.profiles import Profile, local_profile
from tests.client.live_indexes import PublishedIndex, PypiServer, sha256


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def pypiserver_profile(server: PypiServer) -> Profile:
    return Profile("pypiserver", server.url + "/simple/", server.url + "/")


async def test_pypidesk_offers_the_maintainer_api(
    published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    client = IndexClient(http, local_profile(published_index.url))
    assert await client.capabilities() == Capabilities(
        maintainer_api=True, xmlrpc_user_packages=False
    )


async def test_pypiserver_offers_neither(
    pypiserver_index: PypiServer, http: httpx.AsyncClient
) -> None:
    client = IndexClient(http, pypiserver_profile(pypiserver_index))
    capabilities = await client.capabilities()
    assert capabilities == Capabilities(maintainer_api=False, xmlrpc_user_packages=False)
    # Asked once per client.
    assert await client.capabilities() is capabilities


async def test_my_projects_with_roles_latest_version_and_last_upload(
    published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    client = IndexClient(
        http,
        local_profile(published_index.url),
        username="alice",
        token=published_index.alice_token,
    )
    demo, tools = await client.my_projects()
    assert (demo.name, demo.role, demo.latest_version) == ("demo-lib", "Owner", "1.1")
    assert (tools.name, tools.role, tools.latest_version) == ("tools-x", "Maintainer", "0.9.1")
    assert demo.last_upload is not None
    now = dt.datetime.now(dt.UTC)
    assert dt.timedelta(0) <= now - demo.last_upload < dt.timedelta(hours=1)


async def test_a_user_without_projects_has_none(
    published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    client = IndexClient(
        http, local_profile(published_index.url), token=published_index.nobody_token
    )
    assert await client.my_projects() == []


async def test_without_sign_in_every_project_is_listed_with_unknown_role(
    published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    projects = await IndexClient(http, local_profile(published_index.url)).my_projects()
    assert [(p.name, p.role, p.latest_version) for p in projects] == [
        ("demo-lib", None, None),
        ("tools-x", None, None),
    ]


async def test_project_from_the_json_api(
    published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    client = IndexClient(http, local_profile(published_index.url))
    detail = await client.project("Demo_Lib")
    assert detail.name == "demo-lib"
    assert detail.source == "json"
    assert detail.summary == "A tiny demo library"
    # As PyPI chooses: 2.0 is yanked.
    assert detail.latest_version == "1.1"
    assert [r.version for r in detail.releases] == ["2.0", "1.1", "1.0"]
    yanked, _newer, first = detail.releases
    assert (yanked.yanked, yanked.yanked_reason) == (True, "bad ABI")
    assert (first.yanked, first.yanked_reason) == (False, None)
    sdist, wheel = sorted(first.files, key=lambda f: f.kind.value)
    dists = {d.filename: d for d in published_index.dists["1.0"]}
    assert sdist.filename == "demo_lib-1.0.tar.gz"
    assert (sdist.kind, sdist.python_tag) == (FileKind.SDIST, "source")
    assert (wheel.kind, wheel.python_tag) == (FileKind.WHEEL, "py3")
    for file in (sdist, wheel):
        assert file.sha256 == sha256(dists[file.filename])
        assert file.size == len(dists[file.filename].data)
        assert file.upload_time is not None
        downloaded = await http.get(file.url)
        assert downloaded.content == dists[file.filename].data
    assert first.upload_time == min(sdist.upload_time, wheel.upload_time)  # type: ignore[type-var]
    assert detail.description is not None
    assert detail.description.startswith("# Demo lib")
    assert detail.description_content_type == "text/markdown"
    assert detail.serial is not None
    assert detail.serial > 0


async def test_unknown_project_is_not_found(
    published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    client = IndexClient(http, local_profile(published_index.url))
    with pytest.raises(NotFoundError) as exc_info:
        await client.project("no-such-project")
    assert exc_info.value.url.endswith("/pypi/no-such-project/json")


async def test_serial_follows_the_index(
    published_index: PublishedIndex, http: httpx.AsyncClient
) -> None:
    client = IndexClient(http, local_profile(published_index.url))
    health = (await http.get(published_index.url + "/_health")).json()
    assert await client.serial() == health["serial"]


async def test_pypiserver_lists_every_project_with_unknown_role(
    pypiserver_index: PypiServer, http: httpx.AsyncClient
) -> None:
    client = IndexClient(http, pypiserver_profile(pypiserver_index), token="ignored")
    (demo,) = await client.my_projects()
    assert (demo.name, demo.role, demo.latest_version, demo.last_upload) == (
        "demo-lib",
        None,
        None,
        None,
    )


async def test_pypiserver_project_from_the_simple_api(
    pypiserver_index: PypiServer, http: httpx.AsyncClient
) -> None:
    client = IndexClient(http, pypiserver_profile(pypiserver_index))
    detail = await client.project("demo-lib")
    assert detail.source == "simple"
    assert [r.version for r in detail.releases] == ["1.1", "1.0"]
    first = detail.releases[1]
    # pypiserver has no yanking: unknown, not "not yanked".
    assert first.yanked is None
    assert detail.description is None
    wheel = next(f for f in first.files if f.kind is FileKind.WHEEL)
    dist = next(d for d in first.files if d.kind is FileKind.SDIST)
    assert (wheel.python_tag, dist.python_tag) == ("py3", "source")
    assert wheel.upload_time is None
    assert wheel.size is None
    expected = pypiserver_index.dists[wheel.filename]
    assert wheel.sha256 == sha256(expected)
    assert (await http.get(wheel.url)).content == expected.data
    assert await client.serial() is None


async def test_pypiserver_unknown_project_is_not_found(
    pypiserver_index: PypiServer, http: httpx.AsyncClient
) -> None:
    client = IndexClient(http, pypiserver_profile(pypiserver_index))
    with pytest.raises(NotFoundError):
        await client.project("nothing-here")


async def test_a_static_file_tree_is_a_simple_index(
    static_server: tuple[str, Path], http: httpx.AsyncClient
) -> None:
    url, root = static_server
    # A web page where pypidesk's flags would be: no maintainer API.
    (root / "api" / "v1").mkdir(parents=True)
    (root / "api" / "v1" / "flags").write_text("<html>hello</html>")
    (root / "simple").mkdir()
    (root / "simple" / "index.html").write_text('<a href="spam/">spam</a><a href="eggs/">eggs</a>')
    client = IndexClient(http, Profile("static", url + "/simple/", url + "/legacy/"))
    assert not (await client.capabilities()).maintainer_api
    assert [p.name for p in await client.my_projects()] == ["eggs", "spam"]


async def test_unreachable_index(http: httpx.AsyncClient) -> None:
    client = IndexClient(http, local_profile(f"http://127.0.0.1:{find_free_port()}"))
    with pytest.raises(IndexUnreachableError):
        await client.my_projects()
