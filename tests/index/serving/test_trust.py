"""Issue 12, finding 8, against a live ``serve``: pages never trust the request.

``Host`` was copied into file links and the ``/legacy`` redirect,
``/simple/%E2%98%83`` answered 500, and no page sent ``nosniff``, a CSP or
frame protection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from pypidesk.index.settings import ServerSettings
from tests.conftest import LiveServer
from tests.index import factories

EVIL = {"Host": "evil.example"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("trust") / "data"
    settings = ServerSettings(data_dir=data_dir)
    database = factories.open_database(settings)
    with database.write() as session:
        factories.publish(session, settings, "demo", "1.0")
    database.dispose()
    live = LiveServer(data_dir)
    try:
        live.wait_healthy()
        yield live
    finally:
        live.stop()


def _secure(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "deny"
    assert response.headers["referrer-policy"] == "origin-when-cross-origin"


def test_links_and_redirects_ignore_the_host_header(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/simple/demo/", headers=EVIL)
        assert "evil.example" not in page.text
        assert f"{server.url}/packages/" in page.text
        as_json = client.get("/pypi/demo/json", headers=EVIL).json()
        assert as_json["urls"][0]["url"].startswith(f"{server.url}/packages/")
        legacy = client.post("/legacy", headers=EVIL)
        assert legacy.status_code == 308
        assert legacy.headers["location"] == f"{server.url}/legacy/"
        slash = client.get("/api/v1/flags/", headers=EVIL)
        assert "evil.example" not in slash.headers.get("location", "")


@pytest.mark.parametrize(
    "path",
    [
        "/simple/%E2%98%83",
        "/simple/%E2%98%83/",
        "/simple/%ff",
        "/simple/%ff/",
        "/simple/%zz",
        "/simple/a%00b",
        "/pypi/%E2%98%83/json",
        "/pypi/%E2%98%83",
        "/project/%E2%98%83",
        "/project/%ff/",
        "/packages/%E2%98%83",
        "/%E2%98%83",
    ],
)
def test_malformed_paths_answer_404_never_500(server: LiveServer, path: str) -> None:
    answer = httpx.get(server.url + path, follow_redirects=True)
    assert answer.status_code == 404
    for step in answer.history:
        assert step.status_code == 301
        # The redirect names the same path, encoded.
        assert step.headers["location"].isascii()


def test_every_html_page_and_file_carries_the_security_headers(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        for path in ("/simple/", "/simple/demo/", "/project/demo/", "/legacy/", "/simple/none/"):
            answer = client.get(path)
            assert answer.status_code in (200, 404), path
            _secure(answer)
        for api in ("/api/v1/flags", "/_health", "/pypi/demo/json"):
            _secure(client.get(api))
        page = client.get("/simple/demo/").text
        links = re.findall(r'href="([^"#]+)', page)
        by_suffix = {link.rsplit(".", 1)[-1]: link for link in links}
        sdist = client.get(by_suffix["gz"])
        assert sdist.headers["content-type"] == "application/x-tar"
        assert "content-encoding" not in sdist.headers
        _secure(sdist)
        wheel = client.get(by_suffix["whl"])
        assert wheel.headers["content-type"] == "application/octet-stream"
        _secure(wheel)
