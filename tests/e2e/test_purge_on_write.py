"""Each proxy of packaging/caching-proxy/ before ``serve --workers 2``: writes show at once.

Without the purge, a page the proxy holds stays as it was for its max-age
(10 minutes) after an upload, a yank or a delete (issue 17).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from pypidesk.index.db.engine import Database
from pypidesk.index.db.migrate import upgrade
from pypidesk.index.records import accounts
from pypidesk.index.settings import ServerSettings
from tests.conftest import LiveServer
from tests.e2e import installers
from tests.e2e.caching_proxies import PROXIES, CachingProxy
from tests.e2e.upload_helpers import PASSWORD, twine, write_dists
from tests.index.upload.dists import make_sdist, make_wheel

pytestmark = pytest.mark.e2e

JSON = {"Accept": "application/vnd.pypi.simple.v1+json"}


@dataclass
class Team:
    """An index with two workers behind a proxy, and a token that may upload and manage."""

    proxy: CachingProxy
    server: LiveServer
    token: str
    home: Path

    def upload(self, name: str, version: str) -> None:
        files = write_dists(
            self.home / "dist" / f"{name}-{version}",
            make_wheel(name, version),
            make_sdist(name, version),
        )
        result = twine(self.proxy.url, files, home=self.home, password=self.token)
        assert result.returncode == 0, result.stdout + result.stderr

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        response = httpx.get(self.proxy.url + path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        return response

    def versions(self, name: str) -> list[str]:
        return list(self.get(f"/simple/{name}/", JSON).json()["versions"])

    def manage(self, method: str, path: str) -> None:
        response = httpx.request(
            method,
            f"{self.proxy.url}/api/v1{path}",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.is_success, response.text


@pytest.fixture(params=sorted(PROXIES))
def team(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Team]:
    proxy: CachingProxy = PROXIES[request.param](tmp_path / request.param)
    data_dir = tmp_path / "data"
    settings = ServerSettings(data_dir=data_dir)
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine, data_dir)
    with database.write() as session:
        user = accounts.create_user(session, "alice", "alice@example.org", PASSWORD)
        token = accounts.create_token(
            session, settings, user, "ci", permissions=("upload", "manage")
        )
    database.dispose()
    server = LiveServer(data_dir, ["--workers", "2", *proxy.purge_args])
    try:
        # Two workers on a busy CI machine may take a while to start.
        server.wait_healthy(timeout=120)
        proxy.start(f"127.0.0.1:{server.port}")
        yield Team(proxy, server, token, tmp_path / "home")
    finally:
        proxy.stop()
        server.stop()
    log = server.log_path.read_text()
    assert "purge failed" not in log, log


def test_writes_show_through_the_proxy_at_once(team: Team, tmp_path: Path) -> None:
    team.upload("demo", "1.0")
    team.upload("other", "1.0")
    env = installers.clean_env(tmp_path / "pip-home")
    python = installers.fresh_venv(tmp_path / "venv", env)
    index = f"{team.proxy.url}/simple/"
    installers.pip(python, env, "install", "--index-url", index, "demo")
    # Every page is now in the proxy's cache.
    for path, headers in [
        ("/simple/", None),
        ("/simple/demo/", JSON),
        ("/simple/demo/", None),
        ("/simple/other/", JSON),
        ("/pypi/demo/json", None),
        ("/pypi/other/json", None),
    ]:
        team.get(path, headers)
        assert team.get(path, headers).headers["x-cache-status"] == "HIT", path

    # A new release: pip, through the proxy, installs it right after the upload.
    team.upload("demo", "2.0")
    installers.pip(python, env, "install", "--index-url", index, "--upgrade", "demo")
    show = installers.pip(python, env, "show", "demo")
    assert "Version: 2.0" in show
    assert "2.0" in team.get("/simple/demo/").text
    assert team.get("/pypi/demo/json").json()["info"]["version"] == "2.0"
    # Only the pages of the project written to were dropped.
    assert team.get("/simple/other/", JSON).headers["x-cache-status"] == "HIT"
    assert team.get("/pypi/other/json").headers["x-cache-status"] == "HIT"
    assert team.get("/simple/").headers["x-cache-status"] == "HIT"

    team.manage("POST", "/projects/demo/releases/2.0/yank")
    files = team.get("/simple/demo/", JSON).json()["files"]
    assert {f["filename"]: bool(f.get("yanked")) for f in files} == {
        "demo-1.0-py3-none-any.whl": False,
        "demo-1.0.tar.gz": False,
        "demo-2.0-py3-none-any.whl": True,
        "demo-2.0.tar.gz": True,
    }
    assert team.get("/pypi/demo/2.0/json").json()["info"]["yanked"] is True

    team.manage("DELETE", "/projects/demo/releases/2.0")
    assert team.versions("demo") == ["1.0"]
    assert "demo-2.0" not in team.get("/simple/demo/").text
    fresh = installers.fresh_venv(tmp_path / "venv2", env)
    installers.pip(fresh, env, "install", "--index-url", index, "demo")
    assert "Version: 1.0" in installers.pip(fresh, env, "show", "demo")

    # A new project shows in the list of all projects at once.
    team.upload("third", "1.0")
    names = [p["name"] for p in team.get("/simple/", JSON).json()["projects"]]
    assert "third" in names
    assert team.get("/simple/other/", JSON).headers["x-cache-status"] == "HIT"

    # The backend goes away; what the proxy holds is still served.
    wheel_url = next(
        f["url"]
        for f in team.get("/simple/demo/", JSON).json()["files"]
        if f["filename"].endswith(".whl")
    )
    wheel = httpx.get(httpx.URL(team.proxy.url + "/simple/demo/").join(wheel_url))
    assert wheel.status_code == 200
    assert team.server.stop() == 0
    assert team.versions("demo") == ["1.0"]
    assert team.versions("other") == ["1.0"]
    again = httpx.get(httpx.URL(team.proxy.url + "/simple/demo/").join(wheel_url))
    assert again.status_code == 200
    assert again.content == wheel.content
    offline = installers.fresh_venv(tmp_path / "venv3", env)
    installers.pip(offline, env, "install", "--index-url", index, "demo")
