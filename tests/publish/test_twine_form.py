"""The form the app sends is twine's: one file, sent by each to its own index, is stored alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from pypidesk.client.profiles import local_profile
from pypidesk.publish.distfile import inspect
from pypidesk.publish.upload import LegacyPublisher
from tests.client.live_accounts import create_user, sign_in
from tests.conftest import LiveServer
from tests.e2e.upload_helpers import twine
from tests.publish.live import PublishIndex
from tests.publish.projects import make_project

README = """Tiny
====

A description in **reStructuredText**, with a `link <https://example.org>`_.
"""


def stored(release: dict[str, Any], base_url: str) -> dict[str, Any]:
    """What the index stored for a release, with its own address taken out."""
    text = httpx.Response(200, json=release).text.replace(base_url, "BASE")
    data: dict[str, Any] = httpx.Response(200, text=text).json()
    for entry in data["urls"]:
        entry.pop("upload_time", None)
        entry.pop("upload_time_iso_8601", None)
    data.pop("last_serial", None)
    return data


async def test_the_app_and_twine_make_the_index_store_the_same_release(
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    tmp_path: Path,
    project_name: str,
) -> None:
    folder = make_project(tmp_path / "project", project_name, readme=README)
    text = (
        (folder / "pyproject.toml")
        .read_text()
        .replace('readme = "README.md"', 'readme = "README.rst"')
    )
    (folder / "pyproject.toml").write_text(text)
    (folder / "README.md").rename(folder / "README.rst")
    from tests.publish.conftest import built_files

    files = await built_files(folder)
    await LegacyPublisher(
        http, local_profile(publish_index.url).upload_url, token=publish_index.alice
    ).publish([inspect(p) for p in files], lambda _p: None)

    data_dir = tmp_path / "twine-index" / "data"
    data_dir.mkdir(parents=True)
    other = LiveServer(data_dir)
    try:
        other.wait_healthy()
        create_user(data_dir, "alice")
        result = twine(
            other.url, files, home=tmp_path / "home", password=sign_in(other.url, "alice")
        )
        assert result.returncode == 0, result.stdout + result.stderr
        path = f"/pypi/{project_name}/0.1.0/json"
        by_app = (await http.get(publish_index.url + path)).json()
        by_twine = (await http.get(other.url + path)).json()
    finally:
        other.stop()
    assert by_app["info"]["description"].startswith("Tiny")
    assert by_app["info"]["description_content_type"] is None or "rst" in str(
        by_app["info"]["description_content_type"]
    )
    assert stored(by_app, publish_index.url) == stored(by_twine, other.url)
