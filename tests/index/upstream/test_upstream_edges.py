"""``serve --upstream`` against a scripted upstream on loopback: freshness, 304s, failures.

The app runs in process (TestClient); the upstream is a real HTTP server in a
thread whose answers each test sets, so that what a real index does only
sometimes (a 304, a 500, a file whose bytes do not match its page) happens
on demand.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pypi_simple import ProjectPage
from starlette.testclient import TestClient

from pypidesk.index.app import create_app
from pypidesk.index.db.engine import Database
from pypidesk.index.settings import ServerSettings
from pypidesk.index.upstream.pages import PageStore, max_age
from tests.index.factories import publish

JSON = "application/vnd.pypi.simple.v1+json"


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class ScriptedUpstream:
    """A loopback HTTP server answering each path as ``answers`` says; it logs requests."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        scripted = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                scripted.requests.append((self.path, dict(self.headers)))
                answer = scripted.answers.get(self.path, Answer(404, b"not found"))
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def page(self, name: str, files: list[dict[str, Any]], **headers: str) -> None:
        body = {
            "meta": {"api-version": "1.1"},
            "name": name,
            "files": files,
            "versions": ["1.0"],
            "alternate-locations": [f"https://elsewhere.example/simple/{name}/"],
        }
        self.answers[f"/simple/{name}/"] = Answer(
            200, json.dumps(body).encode(), {"Content-Type": JSON, **headers}
        )

    def file(self, name: str, data: bytes, sha256: str | None = None) -> dict[str, Any]:
        self.answers[f"/files/{name}"] = Answer(200, data)
        return {
            "filename": name,
            "url": f"{self.url}/files/{name}",
            "hashes": {"sha256": sha256 or hashlib.sha256(data).hexdigest()},
            "requires-python": ">=3.8",
            "size": len(data),
            "upload-time": "2024-01-02T03:04:05.000000Z",
            "yanked": False,
        }

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def upstream() -> Iterator[ScriptedUpstream]:
    server = ScriptedUpstream()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def client(
    server_settings: ServerSettings, database: Database, upstream: ScriptedUpstream
) -> Iterator[TestClient]:
    settings = ServerSettings(
        data_dir=server_settings.data_dir, upstream_url=upstream.url + "/simple"
    )
    with TestClient(create_app(settings), base_url="http://index.test") as client:
        yield client


def test_a_fresh_page_is_served_from_what_is_kept_and_a_stale_one_revalidated(
    client: TestClient, upstream: ScriptedUpstream
) -> None:
    wheel = upstream.file("spam-1.0-py3-none-any.whl", b"wheel bytes")
    upstream.page("spam", [wheel], **{"Cache-Control": "max-age=300", "ETag": '"v1"'})
    first = client.get("/simple/spam/", headers={"Accept": JSON})
    assert first.status_code == 200
    assert first.headers["x-pypidesk-upstream"] == "fresh"
    assert first.headers["cache-control"].startswith("public, max-age=")
    data = first.json()
    assert data["meta"]["tracks"] == [f"{upstream.url}/simple/spam/"]
    assert data["alternate-locations"] == ["https://elsewhere.example/simple/spam/"]
    assert data["files"][0]["upload-time"] == "2024-01-02T03:04:05Z"
    assert data["files"][0]["requires-python"] == ">=3.8"
    again = client.get("/simple/spam/", headers={"Accept": JSON})
    assert again.content == first.content
    assert len(upstream.requests) == 1  # fresh: not asked again

    # A page the upstream says not to reuse unchecked: asked again each time, with its
    # ETag; a 304 keeps the page (and its ETag).
    ham = upstream.file("ham-1.0-py3-none-any.whl", b"ham bytes")
    upstream.page("ham", [ham], **{"Cache-Control": "no-cache", "ETag": '"v1"'})
    assert client.get("/simple/ham/").status_code == 200
    upstream.answers["/simple/ham/"] = Answer(304, b"", {"Cache-Control": "max-age=60"})
    revalidated = client.get("/simple/ham/")
    assert revalidated.status_code == 200
    assert upstream.requests[-1][1]["If-None-Match"] == '"v1"'
    assert revalidated.headers["x-pypidesk-upstream"] == "fresh"
    assert f'<meta name="pypi:tracks" content="{upstream.url}/simple/ham/">' in revalidated.text
    assert '<meta name="pypi:alternate-locations" content="https://elsewhere' in revalidated.text
    assert "ham-1.0-py3-none-any.whl" in revalidated.text
    asked = len(upstream.requests)
    assert client.get("/simple/ham/").status_code == 200
    assert len(upstream.requests) == asked  # fresh for 60 s now
    page = ProjectPage.from_html("ham", revalidated.text, base_url="http://index.test/simple/ham/")
    assert page.tracks == [f"{upstream.url}/simple/ham/"]
    assert page.repository_version is not None
    assert tuple(map(int, page.repository_version.split("."))) >= (1, 2)  # PEP 708's


def test_the_upstream_down_serves_the_kept_page_stale_and_a_never_seen_name_is_502(
    client: TestClient, upstream: ScriptedUpstream
) -> None:
    wheel = upstream.file("spam-1.0-py3-none-any.whl", b"wheel bytes")
    upstream.page("spam", [wheel])  # no Cache-Control: asked again every time
    assert client.get("/simple/spam/").status_code == 200
    upstream.answers["/simple/spam/"] = Answer(500, b"oops")
    stale = client.get("/simple/spam/")
    assert stale.status_code == 200
    assert stale.headers["x-pypidesk-upstream"] == "stale"
    assert stale.headers["cache-control"] == "public, max-age=0"
    assert "spam-1.0-py3-none-any.whl" in stale.text
    upstream.answers["/simple/eggs/"] = Answer(503, b"down")
    assert client.get("/simple/eggs/").status_code == 502
    upstream.close()
    assert client.get("/simple/spam/").headers["x-pypidesk-upstream"] == "stale"
    gone = client.get("/simple/never-seen/")
    assert gone.status_code == 502
    assert gone.text == "502 Bad Gateway: the upstream index did not answer"


def test_a_name_the_upstream_no_longer_has_is_forgotten(
    client: TestClient, upstream: ScriptedUpstream
) -> None:
    upstream.page("spam", [upstream.file("spam-1.0.tar.gz", b"sdist")])
    assert client.get("/simple/spam/").status_code == 200
    del upstream.answers["/simple/spam/"]
    assert client.get("/simple/spam/").status_code == 404
    settings = client.app.state.settings  # type: ignore[attr-defined]
    assert not (settings.upstream_dir / "pages" / "spam.json").exists()


def test_files_are_fetched_once_verified_and_a_mismatch_is_refused(
    client: TestClient, upstream: ScriptedUpstream
) -> None:
    good = upstream.file("spam-1.0-py3-none-any.whl", b"good bytes")
    bad = upstream.file("spam-1.0.tar.gz", b"evil bytes", sha256="ab" * 32)
    missing = upstream.file("spam-1.0-py2-none-any.whl", b"x")
    del upstream.answers["/files/spam-1.0-py2-none-any.whl"]
    no_hash = {"filename": "spam-0.9.tar.gz", "url": f"{upstream.url}/x", "hashes": {}}
    upstream.page("spam", [good, bad, missing, no_hash])
    files = {f["filename"]: f["url"] for f in client.get(
        "/simple/spam/", headers={"Accept": JSON}).json()["files"]}  # fmt: skip
    assert "spam-0.9.tar.gz" not in files  # nothing to verify it against

    path = files[good["filename"]].removeprefix("http://index.test")
    first = client.get(path)
    assert first.status_code == 200
    assert first.content == b"good bytes"
    assert client.get(path).content == b"good bytes"
    assert [p for p, _ in upstream.requests].count("/files/spam-1.0-py3-none-any.whl") == 1

    refused = client.get(files[bad["filename"]].removeprefix("http://index.test"))
    assert refused.status_code == 502
    assert (
        client.get(files[missing["filename"]].removeprefix("http://index.test")).status_code == 502
    )
    settings = client.app.state.settings  # type: ignore[attr-defined]
    assert not list((settings.upstream_dir / "files" / ".tmp").iterdir())
    assert client.get("/upstream/spam/ab/cd/" + "e" * 60 + "/other.whl").status_code == 404
    assert client.get("/upstream/unknown/ab/cd/" + "e" * 60 + "/x.whl").status_code == 404
    upstream.close()
    down = client.get(files[missing["filename"]].removeprefix("http://index.test"))
    assert down.status_code == 502


def test_a_local_project_is_never_mixed_with_the_upstream(
    client: TestClient, upstream: ScriptedUpstream, database: Database,
    server_settings: ServerSettings,
) -> None:  # fmt: skip
    with database.write() as session:
        publish(session, server_settings, "inhouse", "1.0")
    upstream.page("inhouse", [upstream.file("inhouse-9.9-py3-none-any.whl", b"evil")])
    page = client.get("/simple/inhouse/", headers={"Accept": JSON}).json()
    assert [f["filename"] for f in page["files"]] == [
        "inhouse-1.0-py3-none-any.whl",
        "inhouse-1.0.tar.gz",
    ]
    assert "tracks" not in page["meta"]
    assert upstream.requests == []
    redirected = client.get("/simple/Spam.Eggs/?x=1", follow_redirects=False)
    assert redirected.headers["location"] == "/simple/spam-eggs/?x=1"


def test_without_an_upstream_its_file_paths_are_not_found(client: TestClient) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    plain = ServerSettings(data_dir=settings.data_dir)
    with TestClient(create_app(plain)) as other:
        assert other.get("/upstream/spam/ab/cd/" + "e" * 60 + "/x.whl").status_code == 404


def test_cache_control_is_read_as_the_upstream_means_it(tmp_path: Path) -> None:
    assert max_age("public, max-age=600") == 600
    assert max_age('s-maxage="30", public') == 30
    assert max_age("max-age=600, no-cache") == 0
    assert max_age("public") == 0
    assert max_age(None) == 0
    store = PageStore(tmp_path)
    (tmp_path / "broken.json").write_text("{not json")
    assert store.load("broken") is None


def test_a_restarted_server_serves_the_kept_page_and_files_while_the_upstream_is_down(
    server_settings: ServerSettings, database: Database, upstream: ScriptedUpstream
) -> None:
    wheel = upstream.file("spam-1.0-py3-none-any.whl", b"wheel bytes")
    yanked = {**upstream.file("spam-0.9-py3-none-any.whl", b"old"), "yanked": "broken"}
    upstream.page("spam", [wheel, yanked])
    settings = ServerSettings(
        data_dir=server_settings.data_dir, upstream_url=upstream.url + "/simple/"
    )
    with TestClient(create_app(settings), base_url="http://index.test") as client:
        first = client.get("/simple/spam/")
        assert 'data-yanked="broken" >spam-0.9-py3-none-any.whl</a>' in first.text
        url = client.get("/simple/spam/", headers={"Accept": JSON}).json()["files"][1]["url"]
        assert client.get(url).content == b"wheel bytes"
    upstream.close()
    with TestClient(create_app(settings), base_url="http://index.test") as restarted:
        page = restarted.get("/simple/spam/")
        assert page.status_code == 200
        assert page.headers["x-pypidesk-upstream"] == "stale"
        assert "spam-1.0-py3-none-any.whl" in page.text
        assert restarted.get(url).content == b"wheel bytes"


def test_a_page_that_cannot_be_kept_is_still_served_and_the_failure_logged(
    server_settings: ServerSettings,
    database: Database,
    upstream: ScriptedUpstream,
    caplog: pytest.LogCaptureFixture,
) -> None:
    upstream.page("spam", [upstream.file("spam-1.0.tar.gz", b"sdist")])
    settings = ServerSettings(
        data_dir=server_settings.data_dir, upstream_url=upstream.url + "/simple/"
    )
    with (
        caplog.at_level("WARNING", logger="pypidesk.index.upstream.service"),
        TestClient(create_app(settings)) as client,
    ):
        assert client.get("/simple/").status_code == 200  # the upstream's folders exist
        pages = settings.upstream_dir / "pages"
        pages.rmdir()
        pages.write_text("not a folder")
        assert client.get("/simple/spam/").status_code == 200
    # The app has stopped, and with it the thread that was keeping the page.
    assert any("could not keep an upstream page" in r.getMessage() for r in caplog.records)
