"""``serve --upstream`` end to end: pip and uv through one URL, a real second index upstream.

The upstream is a real pypiserver (no cache headers: every page is asked
again, so when it stops the kept page is what is served) or another live
pypidesk. It holds ``public-lib`` and, in the dependency-confusion case, a
higher ``inhouse`` than the local one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pypi_simple import ProjectPage

from pypidesk.cli import main
from tests.client.live_indexes import PypiServer, admin
from tests.conftest import LiveServer
from tests.e2e import installers
from tests.index.factories import PASSWORD
from tests.index.upload.dists import Dist, make_wheel

pytestmark = pytest.mark.e2e

JSON = "application/vnd.pypi.simple.v1+json"


def local_index(root: Path, upstream: str, local: list[Dist]) -> LiveServer:
    """A live pypidesk with ``local`` imported and ``upstream`` to fall through to."""
    data_dir = root / "data"
    data_dir.mkdir(parents=True)
    admin(data_dir, "create-user", "alice", "--email", "alice@example.org", stdin=PASSWORD)
    folder = root / "local-dists"
    folder.mkdir()
    for dist in local:
        (folder / dist.filename).write_bytes(dist.data)
    assert (
        main(["admin", "--data-dir", str(data_dir), "import", str(folder), "--owner", "alice"])
        == 0
    )
    server = LiveServer(data_dir, ["--upstream", upstream])
    server.wait_healthy()
    return server


def upstream_folder(root: Path) -> Path:
    packages = root / "upstream-packages"
    packages.mkdir(parents=True)
    for dist in (
        make_wheel("public-lib", "1.0"),
        make_wheel("public-lib", "1.1"),
        make_wheel("inhouse", "9.0", payload=b"raise SystemExit('confused')\n"),
    ):
        (packages / dist.filename).write_bytes(dist.data)
    return packages


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PypiServer, LiveServer]]:
    root = tmp_path_factory.mktemp("upstream")
    upstream = PypiServer(upstream_folder(root))
    try:
        local = local_index(root, upstream.url + "/simple/", [make_wheel("inhouse", "1.0")])
        try:
            yield upstream, local
        finally:
            local.stop()
    finally:
        upstream.stop()


def test_pip_and_uv_install_an_upstream_only_project_through_the_one_url(
    indexes: tuple[PypiServer, LiveServer], tmp_path: Path
) -> None:
    _, local = indexes
    env = installers.clean_env(tmp_path / "home")
    python = installers.fresh_venv(tmp_path / "pip-venv", env)
    installers.pip(python, env, "install", "--index-url", local.url + "/simple/", "public-lib")
    assert "public-lib==1.1" in installers.pip(python, env, "list", "--format", "freeze")
    python = installers.fresh_venv(tmp_path / "uv-venv", env)
    installers.uv_pip(
        python, env, "install", "--index-url", local.url + "/simple/", "public-lib==1.0"
    )
    assert installers.run([str(python), "-c", "import public_lib"], env) == ""


def test_a_local_name_shows_only_local_files_even_when_the_upstream_has_more(
    indexes: tuple[PypiServer, LiveServer], tmp_path: Path
) -> None:
    upstream, local = indexes
    assert "inhouse-9.0" in httpx.get(upstream.url + "/simple/inhouse/").text
    page = httpx.get(local.url + "/simple/inhouse/", headers={"Accept": JSON}).json()
    assert [f["filename"] for f in page["files"]] == ["inhouse-1.0-py3-none-any.whl"]
    env = installers.clean_env(tmp_path / "home")
    python = installers.fresh_venv(tmp_path / "venv", env)
    installers.pip(python, env, "install", "--index-url", local.url + "/simple/", "inhouse")
    assert "inhouse==1.0" in installers.pip(python, env, "list", "--format", "freeze")


def test_pep_708_keys_are_present_and_valid(
    indexes: tuple[PypiServer, LiveServer],
) -> None:
    upstream, local = indexes
    tracked = f"{upstream.url}/simple/public-lib/"
    response = httpx.get(local.url + "/simple/public-lib/", headers={"Accept": JSON})
    data = response.json()
    assert data["meta"]["tracks"] == [tracked]
    assert data["meta"]["api-version"] >= "1.2"
    assert data["alternate-locations"] == []
    html = httpx.get(local.url + "/simple/public-lib/")
    page = ProjectPage.from_html("public-lib", html.text, base_url=str(html.url))
    assert page.tracks == [tracked]
    # Each tracked URL is the upstream's page of the same (normalized) name, and answers.
    assert httpx.get(tracked).status_code == 200
    for file in data["files"]:
        body = httpx.get(file["url"]).content
        assert hashlib.sha256(body).hexdigest() == file["hashes"]["sha256"]

    # A local name tracks nothing until the operator says so, then in both formats.
    local_page = httpx.get(local.url + "/simple/inhouse/", headers={"Accept": JSON}).json()
    assert "tracks" not in local_page["meta"]
    assert admin(local.data_dir, "track-upstream", "InHouse") == (
        "inhouse tracks the upstream's project of the same name."
    )
    local_page = httpx.get(local.url + "/simple/inhouse/", headers={"Accept": JSON}).json()
    assert local_page["meta"]["tracks"] == [f"{upstream.url}/simple/inhouse/"]
    html = httpx.get(local.url + "/simple/inhouse/").text
    assert f'<meta name="pypi:tracks" content="{upstream.url}/simple/inhouse/">' in html
    assert [f["filename"] for f in local_page["files"]] == ["inhouse-1.0-py3-none-any.whl"]
    admin(local.data_dir, "track-upstream", "inhouse")  # again: no change
    assert admin(local.data_dir, "untrack-upstream", "inhouse").endswith(
        "does not track the upstream's project of the same name."
    )
    local_page = httpx.get(local.url + "/simple/inhouse/", headers={"Accept": JSON}).json()
    assert "tracks" not in local_page["meta"]


def test_after_the_upstream_stops_the_cached_project_still_installs(tmp_path: Path) -> None:
    upstream = PypiServer(upstream_folder(tmp_path))
    try:
        local = local_index(tmp_path, upstream.url + "/simple/", [make_wheel("inhouse", "1.0")])
    except BaseException:
        upstream.stop()
        raise
    try:
        env = installers.clean_env(tmp_path / "home")
        python = installers.fresh_venv(tmp_path / "first", env)
        index = local.url + "/simple/"
        installers.pip(python, env, "install", "--index-url", index, "public-lib")
        upstream.stop()
        python = installers.fresh_venv(tmp_path / "second", env)
        installers.pip(python, env, "install", "--index-url", index, "public-lib")
        assert "public-lib==1.1" in installers.pip(python, env, "list", "--format", "freeze")
        stale = httpx.get(index + "public-lib/")
        assert stale.headers["x-pypidesk-upstream"] == "stale"
    finally:
        local.stop()


def test_another_pypidesk_as_upstream_with_pep_691_json(tmp_path: Path) -> None:
    upstream = local_index(
        tmp_path / "up", "http://127.0.0.1:9/simple/", [make_wheel("shared", "2.0")]
    )
    try:
        local = local_index(
            tmp_path / "down", upstream.url + "/simple", [make_wheel("own", "1.0")]
        )
        try:
            env = installers.clean_env(tmp_path / "home")
            python = installers.fresh_venv(tmp_path / "venv", env)
            installers.uv_pip(
                python, env, "install", "--index-url", local.url + "/simple/", "shared", "own"
            )
            frozen = installers.pip(python, env, "list", "--format", "freeze")
            assert "shared==2.0" in frozen
            assert "own==1.0" in frozen
            data = httpx.get(local.url + "/simple/shared/", headers={"Accept": JSON}).json()
            assert data["files"][0]["upload-time"].endswith("Z")
            # The upstream's own upstream is down: a name neither has is a 502, not a
            # 404 (pip then says the index failed rather than that there is no such name).
            assert httpx.get(upstream.url + "/simple/nowhere/").status_code == 502
            assert httpx.get(local.url + "/simple/nowhere/").status_code == 502
        finally:
            local.stop()
    finally:
        upstream.stop()
