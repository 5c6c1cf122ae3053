"""The Simple API as PyPI serves it (reference section 2)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from starlette.testclient import TestClient

from pypidesk.index.db.engine import Database
from pypidesk.index.settings import ServerSettings
from tests.index import factories

JSON = "application/vnd.pypi.simple.v1+json"
V1_HTML = "application/vnd.pypi.simple.v1+html"
CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": (
        "Content-Type, If-Match, If-Modified-Since, If-None-Match, If-Unmodified-Since"
    ),
    "access-control-allow-methods": "GET",
    "access-control-max-age": "86400",
    "access-control-expose-headers": "X-PyPI-Last-Serial",
}


@pytest.fixture
def populated(database: Database, server_settings: ServerSettings) -> dict[str, object]:
    with database.write() as session:
        factories.publish(session, server_settings, "Foo_Bar", "1.0", requires_python=">=3.8")
        pre = factories.publish(session, server_settings, "Foo_Bar", "2.0b1")
        factories.yank(session, pre, "broken <badly>")
        old = factories.publish(session, server_settings, "Foo_Bar", "0.9", sdist=False)
        factories.yank(session, old)
        factories.add_project(session, "empty")
        factories.publish(session, server_settings, "zeta", "1.0")
        foo_serial = pre.project.last_serial
    return {"foo_serial": foo_serial}


def test_index_html(client: TestClient, populated: dict[str, object]) -> None:
    response = client.get("/simple/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html"
    # Byte for byte what Warehouse's template renders with its Jinja2 settings
    # (trim_blocks and lstrip_blocks).
    assert response.text == (
        '<!DOCTYPE html>\n<html lang="en">\n  <head>\n'
        '    <meta name="pypi:repository-version" content="1.4">\n'
        "    <title>Simple index</title>\n  </head>\n  <body>\n"
        '<a href="/simple/empty/">empty</a>\n'
        '<a href="/simple/foo-bar/">Foo_Bar</a>\n'
        '<a href="/simple/zeta/">zeta</a>\n'
        "</body>\n</html>"
    )


def test_index_json_has_serials(client: TestClient, populated: dict[str, object]) -> None:
    response = client.get("/simple/", headers={"Accept": JSON})
    assert response.headers["content-type"] == JSON
    assert response.text.endswith("}\n")
    body = response.json()
    serial = int(response.headers["x-pypi-last-serial"])
    assert body["meta"] == {"api-version": "1.4", "_last-serial": serial}
    names = [p["name"] for p in body["projects"]]
    assert names == ["empty", "Foo_Bar", "zeta"]
    assert body["projects"][1]["_last-serial"] == populated["foo_serial"]
    assert body["projects"][2]["_last-serial"] == serial
    assert response.headers["surrogate-control"].startswith("max-age=1800,")


def test_index_headers(client: TestClient, populated: dict[str, object]) -> None:
    response = client.get("/simple/")
    headers = response.headers
    assert headers["vary"] == "Accept"
    assert headers["cache-control"] == "public, max-age=600"
    assert headers["surrogate-control"] == (
        "max-age=86400, stale-while-revalidate=300, stale-if-error=86400"
    )
    assert headers["surrogate-key"] == "all-projects"
    assert (
        headers["etag"] == f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    )
    for key, value in CORS.items():
        assert headers[key] == value


def test_empty_index_serial_zero(client: TestClient) -> None:
    response = client.get("/simple/", headers={"Accept": JSON})
    assert response.json() == {"meta": {"api-version": "1.4", "_last-serial": 0}, "projects": []}
    assert response.headers["x-pypi-last-serial"] == "0"


def test_detail_html_attributes(client: TestClient, populated: dict[str, object]) -> None:
    response = client.get("/simple/foo-bar/")
    assert response.status_code == 200
    html = response.text
    assert '<meta name="pypi:repository-version" content="1.4">' in html
    assert '<meta name="pypi:project-status" content="active">' in html
    assert "<title>Links for foo-bar</title>" in html
    assert "<h1>Links for foo-bar</h1>" in html
    assert html.endswith(f"</html>\n<!--SERIAL {populated['foo_serial']}-->")
    lines = [line.strip() for line in html.splitlines() if "<a " in line]
    assert [line.split(">")[1].split("<")[0] for line in lines] == [
        "foo_bar-0.9-py3-none-any.whl",
        "foo_bar-1.0-py3-none-any.whl",
        "foo_bar-1.0.tar.gz",
        "foo_bar-2.0b1-py3-none-any.whl",
        "foo_bar-2.0b1.tar.gz",
    ]
    assert all(line.endswith("</a><br />") for line in lines)
    old_wheel, wheel, sdist, pre_wheel, _pre_sdist = lines
    assert 'data-yanked=""' in old_wheel
    assert 'data-requires-python="&gt;=3.8"' in wheel
    assert "data-yanked" not in wheel
    assert 'data-yanked="broken &lt;badly&gt;"' in pre_wheel
    assert "data-requires-python" not in pre_wheel
    assert 'data-dist-info-metadata="sha256=' in wheel
    assert 'data-core-metadata="sha256=' in wheel
    assert "metadata" not in sdist
    assert 'href="http://index.test/packages/' in wheel
    assert "#sha256=" in wheel


def test_detail_json(client: TestClient, populated: dict[str, object]) -> None:
    response = client.get("/simple/foo-bar/", headers={"Accept": JSON})
    assert response.headers["content-type"] == JSON
    body = response.json()
    assert body["meta"] == {"api-version": "1.4", "_last-serial": populated["foo_serial"]}
    assert body["name"] == "foo-bar"
    assert body["project-status"] == {"status": "active"}
    assert body["versions"] == ["0.9", "1.0", "2.0b1"]
    files = {f["filename"]: f for f in body["files"]}
    wheel = files["foo_bar-1.0-py3-none-any.whl"]
    assert set(wheel) == {
        "filename",
        "url",
        "hashes",
        "requires-python",
        "size",
        "upload-time",
        "yanked",
        "core-metadata",
        "data-dist-info-metadata",
        "provenance",
    }
    assert wheel["requires-python"] == ">=3.8"
    assert wheel["yanked"] is False
    assert wheel["core-metadata"] == wheel["data-dist-info-metadata"]
    assert set(wheel["core-metadata"]) == {"sha256"}
    assert wheel["provenance"] is None
    assert wheel["upload-time"].endswith("Z")
    assert files["foo_bar-1.0.tar.gz"]["core-metadata"] is False
    assert files["foo_bar-0.9-py3-none-any.whl"]["yanked"] is True
    assert files["foo_bar-2.0b1.tar.gz"]["yanked"] == "broken <badly>"
    assert files["foo_bar-2.0b1.tar.gz"]["requires-python"] is None
    # Hash and size describe the bytes actually served.
    download = client.get(wheel["url"])
    assert hashlib.sha256(download.content).hexdigest() == wheel["hashes"]["sha256"]
    assert len(download.content) == wheel["size"]
    metadata = client.get(wheel["url"] + ".metadata")
    assert hashlib.sha256(metadata.content).hexdigest() == wheel["core-metadata"]["sha256"]
    assert metadata.content.startswith(b"Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\n")


def test_detail_html_is_warehouses_bytes(
    client: TestClient, database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        project = factories.add_project(session, "Exact")
        release = factories.add_release(session, project, "1.0", requires_python=">=3.8")
        sdist = factories.add_file(
            session, server_settings, release, factories.build_sdist("exact", "1.0")
        )
        factories.yank(session, release, 'it\'s "bad"')
        serial = project.last_serial
    url = f"http://index.test/packages/{sdist.path}"
    assert client.get("/simple/exact/").text == (
        '<!DOCTYPE html>\n<html lang="en">\n  <head>\n'
        '    <meta name="pypi:repository-version" content="1.4">\n'
        '<meta name="pypi:project-status" content="active">'
        "    <title>Links for exact</title>\n  </head>\n  <body>\n"
        "    <h1>Links for exact</h1>\n"
        f'<a href="{url}#sha256={sdist.sha256_digest}" data-requires-python="&gt;=3.8" '
        'data-yanked="it&#39;s &#34;bad&#34;" >exact-1.0.tar.gz</a><br />\n'
        f"</body>\n</html>\n<!--SERIAL {serial}-->"
    )


def test_json_is_compact_with_sorted_keys(
    client: TestClient, populated: dict[str, object]
) -> None:
    text = client.get("/simple/foo-bar/", headers={"Accept": JSON}).text
    assert text.startswith('{"files":[{"core-metadata":{"sha256":"')
    assert ", " not in text.split('"versions"')[1]
    assert text.endswith('"versions":["0.9","1.0","2.0b1"]}\n')


def test_upload_time_formats(
    client: TestClient, database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        project = factories.add_project(session, "timed")
        release = factories.add_release(session, project, "1.0")
        for moment, dist in (
            (
                dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC),
                factories.build_wheel("timed", "1.0"),
            ),
            (
                dt.datetime(2024, 5, 6, 7, 8, 9, 120, tzinfo=dt.UTC),
                factories.build_sdist("timed", "1.0"),
            ),
        ):
            factories.add_file(session, server_settings, release, dist, upload_time=moment)
    files = client.get("/simple/timed/", headers={"Accept": JSON}).json()["files"]
    assert [f["upload-time"] for f in files] == [
        "2024-05-06T07:08:09Z",
        "2024-05-06T07:08:09.000120Z",
    ]


def test_project_without_files(client: TestClient, populated: dict[str, object]) -> None:
    response = client.get("/simple/empty/", headers={"Accept": JSON})
    assert response.status_code == 200
    assert response.json()["files"] == []
    assert response.json()["versions"] == []
    html = client.get("/simple/empty/").text
    assert "<a " not in html


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("text/plain", "text/html"),
        (V1_HTML, V1_HTML),
        (JSON, JSON),
        (f"{JSON}, {V1_HTML}; q=0.1, text/html; q=0.01", JSON),
        (f"text/html, {V1_HTML}, {JSON}", "text/html"),
    ],
)
def test_negotiation_on_both_pages(
    client: TestClient, populated: dict[str, object], accept: str | None, expected: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    for url in ("/simple/", "/simple/foo-bar/"):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == expected
        assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/simple/Foo_Bar/", "/simple/foo-bar/"),
        ("/simple/foo.bar/", "/simple/foo-bar/"),
        ("/simple/foo-bar", "/simple/foo-bar/"),
        ("/simple/Foo_Bar", "/simple/Foo_Bar/"),
        ("/simple", "/simple/"),
        ("/simple/Foo_Bar/?x=1", "/simple/foo-bar/?x=1"),
        ("/simple/unknown", "/simple/unknown/"),
    ],
)
def test_redirects(
    client: TestClient, populated: dict[str, object], path: str, location: str
) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == location
    assert response.headers["access-control-allow-origin"] == "*"


def test_double_redirect_lands(client: TestClient, populated: dict[str, object]) -> None:
    response = client.get("/simple/Foo_Bar")
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [301, 301]


@pytest.mark.parametrize("path", ["/simple/unknown/", "/simple/foo-bar/extra", "/simple/x/y/"])
def test_not_found_is_plain_text(
    client: TestClient, populated: dict[str, object], path: str
) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/plain; charset=UTF-8"
    assert response.text == "404 Not Found"


def test_etag_and_304(client: TestClient, populated: dict[str, object]) -> None:
    for url, accept in (("/simple/", JSON), ("/simple/foo-bar/", "text/html")):
        first = client.get(url, headers={"Accept": accept})
        etag = first.headers["etag"]
        again = client.get(url, headers={"Accept": accept, "If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["x-pypi-last-serial"] == first.headers["x-pypi-last-serial"]
        assert "content-length" not in again.headers or again.headers["content-length"] == "0"
        for header in (f"W/{etag}", f'"nope", {etag}', "*"):
            conditional = client.get(url, headers={"Accept": accept, "If-None-Match": header})
            assert conditional.status_code == 304
        stale = client.get(url, headers={"Accept": accept, "If-None-Match": '"stale"'})
        assert stale.status_code == 200
    # The variants differ, so their tags do.
    html_tag = client.get("/simple/foo-bar/").headers["etag"]
    json_tag = client.get("/simple/foo-bar/", headers={"Accept": JSON}).headers["etag"]
    assert html_tag != json_tag


def test_head(client: TestClient, populated: dict[str, object]) -> None:
    get = client.get("/simple/foo-bar/")
    head = client.head("/simple/foo-bar/")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["etag"] == get.headers["etag"]


def test_other_methods_refused(client: TestClient, populated: dict[str, object]) -> None:
    response = client.post("/simple/foo-bar/")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_detail_headers(client: TestClient, populated: dict[str, object]) -> None:
    headers = client.get("/simple/foo-bar/").headers
    assert headers["surrogate-key"] == "project/foo-bar"
    assert headers["x-pypi-last-serial"] == str(populated["foo_serial"])
    assert headers["cache-control"] == "public, max-age=600"
    for key, value in CORS.items():
        assert headers[key] == value
