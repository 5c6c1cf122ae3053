"""Files and metadata files straight from storage: types, ETags, ranges, HEAD, 404s."""

from __future__ import annotations

import hashlib

import pytest
from starlette.testclient import TestClient

from pypidesk.index.db.engine import Database
from pypidesk.index.read.files import parse_range
from pypidesk.index.settings import ServerSettings
from tests.index import factories


@pytest.fixture
def stored(database: Database, server_settings: ServerSettings) -> dict[str, object]:
    with database.write() as session:
        project = factories.add_project(session, "demo")
        release = factories.add_release(session, project, "1.0")
        wheel = factories.build_wheel("demo", "1.0")
        sdist = factories.build_sdist("demo", "1.0")
        big = factories.Dist("demo-1.0.zip", bytes(range(256)) * 9000, None, "sdist", "source")
        files = {
            d.filename: factories.add_file(session, server_settings, release, d)
            for d in (wheel, sdist, big)
        }
        return {
            "wheel": (f"/packages/{files[wheel.filename].path}", wheel),
            "sdist": (f"/packages/{files[sdist.filename].path}", sdist),
            "big": (f"/packages/{files[big.filename].path}", big),
            "b2": files[wheel.filename].blake2_256_digest,
        }


def test_wheel_download(client: TestClient, stored: dict[str, object]) -> None:
    url, wheel = stored["wheel"]
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == wheel.content
    headers = response.headers
    assert headers["content-type"] == "application/octet-stream"
    assert headers["content-length"] == str(len(wheel.content))
    assert headers["etag"] == f'"{stored["b2"]}"'
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["accept-ranges"] == "bytes"
    assert "content-encoding" not in headers


def test_metadata_file(client: TestClient, stored: dict[str, object]) -> None:
    url, wheel = stored["wheel"]
    response = client.get(url + ".metadata")
    assert response.status_code == 200
    assert response.content == wheel.metadata
    assert response.headers["etag"] == f'"{stored["b2"]}-metadata"'
    assert response.headers["content-type"] == "application/octet-stream"


def test_sdist_and_zip_types(client: TestClient, stored: dict[str, object]) -> None:
    url, sdist = stored["sdist"]
    response = client.get(url)
    assert response.content == sdist.content
    assert response.headers["content-type"] == "application/x-tar"
    assert "content-encoding" not in response.headers
    url, big = stored["big"]
    response = client.get(url)
    assert response.headers["content-type"] == "application/zip"
    # Larger than the inline limit: streamed in chunks, still byte-exact.
    assert hashlib.sha256(response.content).digest() == hashlib.sha256(big.content).digest()


def test_head(client: TestClient, stored: dict[str, object]) -> None:
    url, wheel = stored["wheel"]
    response = client.head(url)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(wheel.content))


def test_if_none_match(client: TestClient, stored: dict[str, object]) -> None:
    url, _ = stored["wheel"]
    etag = client.get(url).headers["etag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=10-", 10, None),
        ("bytes=-20", -20, None),
        ("bytes=5-99999", 5, None),
    ],
)
def test_single_range(
    client: TestClient, stored: dict[str, object], header: str, first: int, last: int | None
) -> None:
    url, wheel = stored["wheel"]
    content = wheel.content
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 206
    expected = content[first : None if last is None else last + 1]
    assert response.content == expected
    start = first if first >= 0 else len(content) + first
    end = start + len(expected) - 1
    assert response.headers["content-range"] == f"bytes {start}-{end}/{len(content)}"
    assert response.headers["content-length"] == str(len(expected))


def test_range_of_streamed_file(client: TestClient, stored: dict[str, object]) -> None:
    url, big = stored["big"]
    response = client.get(url, headers={"Range": "bytes=100-1100099"})
    assert response.status_code == 206
    assert response.content == big.content[100:1100100]


@pytest.mark.parametrize("header", ["bytes=999999-", "bytes=-0", "bytes=999999-1000000"])
def test_unsatisfiable_range(client: TestClient, stored: dict[str, object], header: str) -> None:
    url, wheel = stored["wheel"]
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(wheel.content)}"


@pytest.mark.parametrize("header", ["bytes=0-1,4-5", "items=0-1", "bytes=9-2", "bytes=-"])
def test_ignored_range_sends_everything(
    client: TestClient, stored: dict[str, object], header: str
) -> None:
    url, wheel = stored["wheel"]
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 200
    assert response.content == wheel.content


def test_if_range(client: TestClient, stored: dict[str, object]) -> None:
    url, wheel = stored["wheel"]
    etag = client.get(url).headers["etag"]
    matching = client.get(url, headers={"Range": "bytes=0-3", "If-Range": etag})
    assert matching.status_code == 206
    assert matching.content == wheel.content[:4]
    changed = client.get(url, headers={"Range": "bytes=0-3", "If-Range": '"old"'})
    assert changed.status_code == 200
    assert changed.content == wheel.content


def test_range_head(client: TestClient, stored: dict[str, object]) -> None:
    url, _ = stored["wheel"]
    response = client.head(url, headers={"Range": "bytes=0-3"})
    assert response.status_code == 206
    assert response.content == b""
    assert response.headers["content-length"] == "4"


@pytest.mark.parametrize(
    "suffix",
    [
        "ab/cd/" + "0" * 60 + "/missing.whl",
        "ab/cd/efg/x.whl",
        "%2e%2e/%2e%2e/pypidesk.sqlite3",
        "ab/cd/" + "0" * 60 + "/.hidden",
        "AB/cd/" + "0" * 60 + "/x.whl",
        "",
    ],
)
def test_not_found(client: TestClient, stored: dict[str, object], suffix: str) -> None:
    response = client.get("/packages/" + suffix)
    assert response.status_code == 404
    assert response.text == "404 Not Found"


def test_directory_is_not_a_file(
    client: TestClient, stored: dict[str, object], server_settings: ServerSettings
) -> None:
    directory = server_settings.packages_dir / "ab" / "cd" / ("0" * 60) / "dir.whl"
    directory.mkdir(parents=True)
    assert client.get("/packages/ab/cd/" + "0" * 60 + "/dir.whl").status_code == 404


def test_post_refused(client: TestClient, stored: dict[str, object]) -> None:
    url, _ = stored["wheel"]
    assert client.post(url).status_code == 405


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, None),
        ("bytes=0-0", 10, (0, 0)),
        ("bytes=-5", 3, (0, 2)),
        ("bytes=-5", 0, False),
        ("bytes=0-", 0, False),
        (" bytes=2-4 ", 10, (2, 4)),
    ],
)
def test_parse_range(header: str | None, size: int, expected: object) -> None:
    assert parse_range(header, size) == expected
