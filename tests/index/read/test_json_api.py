"""PyPI's JSON API (reference section 3): keys, latest, versions, redirects, 404s."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import Role
from pypidesk.index.settings import ServerSettings
from tests.index import factories

INFO_KEYS = {
    "author", "author_email", "bugtrack_url", "classifiers", "description",
    "description_content_type", "docs_url", "download_url", "downloads", "dynamic",
    "home_page", "keywords", "license", "license_expression", "license_files", "maintainer",
    "maintainer_email", "name", "package_url", "platform", "project_url", "project_urls",
    "provides_extra", "release_url", "requires_dist", "requires_python", "summary",
    "version", "yanked", "yanked_reason",
}  # fmt: skip
FILE_KEYS = {
    "comment_text", "core-metadata", "digests", "downloads", "filename", "has_sig",
    "md5_digest", "packagetype", "python_version", "requires_python", "size", "upload_time",
    "upload_time_iso_8601", "url", "yanked", "yanked_reason",
}  # fmt: skip


@pytest.fixture
def project(database: Database, server_settings: ServerSettings) -> None:
    with database.write() as session:
        factories.publish(
            session,
            server_settings,
            "Demo.Pkg",
            "1.0",
            requires_python=">=3.8",
            author="Ann",
            classifiers=["Programming Language :: Python :: 3"],
            requires_dist=["packaging>=20"],
            project_urls=["Homepage, https://example.org", "Docs, https://docs.example.org"],
            platform=["any"],
            description="# Demo",
            description_content_type="text/markdown",
        )
        factories.publish(session, server_settings, "Demo.Pkg", "1.1")
        factories.publish(session, server_settings, "Demo.Pkg", "2.0rc1")
        latest = factories.publish(session, server_settings, "Demo.Pkg", "1.2")
        factories.yank(session, latest, "oops")
        demo = latest.project
        session.add(
            Role(user=factories.get_user(session, "bob"), project=demo, role_name="Maintainer")
        )
        session.add(
            Role(user=factories.get_user(session, "aaron"), project=demo, role_name="Maintainer")
        )
        factories.add_release(session, demo, "3.0.dev0")
        factories.add_project(session, "nothing")


def test_project_endpoint(client: TestClient, project: None) -> None:
    response = client.get("/pypi/demo-pkg/json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    # Warehouse's JSON renderer sorts keys (orjson OPT_SORT_KEYS), adds a newline.
    assert list(body) == [
        "info",
        "last_serial",
        "ownership",
        "releases",
        "urls",
        "vulnerabilities",
    ]
    assert list(body["info"]) == sorted(body["info"])
    assert response.text.endswith("}\n")
    info = body["info"]
    assert set(info) == INFO_KEYS
    # Not yanked first, then final releases, then the highest: 1.1.
    assert info["version"] == "1.1"
    assert info["name"] == "Demo.Pkg"
    assert info["package_url"] == "http://index.test/project/Demo.Pkg/"
    assert info["release_url"] == "http://index.test/project/Demo.Pkg/1.1/"
    assert info["downloads"] == {"last_day": -1, "last_month": -1, "last_week": -1}
    assert info["bugtrack_url"] is None
    assert info["yanked"] is False
    assert info["yanked_reason"] is None
    assert body["last_serial"] == int(response.headers["x-pypi-last-serial"])
    assert list(body["releases"]) == ["1.0", "1.1", "1.2", "2.0rc1", "3.0.dev0"]
    assert body["releases"]["3.0.dev0"] == []
    assert [f["filename"] for f in body["urls"]] == [
        "demo_pkg-1.1-py3-none-any.whl",
        "demo_pkg-1.1.tar.gz",
    ]
    assert body["vulnerabilities"] == []
    assert body["ownership"] == {
        "organization": None,
        "roles": [
            {"role": "Owner", "user": "alice"},
            {"role": "Maintainer", "user": "aaron"},
            {"role": "Maintainer", "user": "bob"},
        ],
    }


def test_file_objects(client: TestClient, project: None) -> None:
    body = client.get("/pypi/demo-pkg/json").json()
    wheel, sdist = body["releases"]["1.0"]
    assert set(wheel) == FILE_KEYS
    assert wheel["packagetype"] == "bdist_wheel"
    assert wheel["python_version"] == "py3"
    assert sdist["packagetype"] == "sdist"
    assert wheel["has_sig"] is False
    assert wheel["downloads"] == -1
    assert wheel["md5_digest"] == wheel["digests"]["md5"]
    assert set(wheel["digests"]) == {"md5", "sha256", "blake2b_256"}
    assert wheel["core-metadata"] == {"sha256": wheel["core-metadata"]["sha256"]}
    assert sdist["core-metadata"] is False
    assert wheel["requires_python"] == ">=3.8"
    assert len(wheel["upload_time"]) == 19
    assert wheel["upload_time_iso_8601"].endswith("Z")
    assert wheel["upload_time_iso_8601"].startswith(wheel["upload_time"])
    b2 = wheel["digests"]["blake2b_256"]
    assert wheel["url"] == (
        f"http://index.test/packages/{b2[:2]}/{b2[2:4]}/{b2[4:]}/{wheel['filename']}"
    )
    yanked = body["releases"]["1.2"][0]
    assert yanked["yanked"] is True
    assert yanked["yanked_reason"] == "oops"
    assert client.get(wheel["url"]).status_code == 200


def test_release_endpoint(client: TestClient, project: None) -> None:
    response = client.get("/pypi/demo-pkg/1.0/json")
    body = response.json()
    assert "releases" not in body
    info = body["info"]
    assert info["version"] == "1.0"
    assert info["author"] == "Ann"
    assert info["classifiers"] == ["Programming Language :: Python :: 3"]
    assert info["requires_dist"] == ["packaging>=20"]
    assert info["project_urls"] == {
        "Homepage": "https://example.org",
        "Docs": "https://docs.example.org",
    }
    assert info["platform"] == "any"
    assert info["description"] == "# Demo"
    assert info["description_content_type"] == "text/markdown"
    assert info["requires_python"] == ">=3.8"
    assert response.headers["surrogate-key"] == (
        "project/demo-pkg all-legacy-json release-legacy-json"
    )
    yanked = client.get("/pypi/demo-pkg/1.2/json").json()["info"]
    assert yanked["yanked"] is True
    assert yanked["yanked_reason"] == "oops"


def test_canonical_version_match(client: TestClient, project: None) -> None:
    for alias in ("1.0.0", "1.0", "1", "v1.0"):
        response = client.get(f"/pypi/demo-pkg/{alias}/json")
        assert response.status_code == 200, alias
        assert response.json()["info"]["version"] == "1.0"
    assert client.get("/pypi/demo-pkg/2.0-rc1/json").json()["info"]["version"] == "2.0rc1"


def test_latest_when_everything_is_yanked_or_pre(
    client: TestClient, database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        first = factories.publish(session, server_settings, "odd", "1.0")
        factories.yank(session, first)
        factories.publish(session, server_settings, "odd", "2.0a1")
        factories.publish(session, server_settings, "pre", "1.0a1")
        factories.publish(session, server_settings, "pre", "1.0b1")
    assert client.get("/pypi/odd/json").json()["info"]["version"] == "2.0a1"
    assert client.get("/pypi/pre/json").json()["info"]["version"] == "1.0b1"


def test_headers(client: TestClient, project: None) -> None:
    headers = client.get("/pypi/demo-pkg/json").headers
    assert headers["cache-control"] == "public, max-age=900"
    assert headers["surrogate-control"] == (
        "max-age=86400, stale-while-revalidate=300, stale-if-error=86400"
    )
    assert headers["surrogate-key"] == "project/demo-pkg all-legacy-json project-legacy-json"
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-expose-headers"] == "X-PyPI-Last-Serial"
    etag = headers["etag"]
    again = client.get("/pypi/demo-pkg/json", headers={"If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/pypi/Demo.Pkg/json", "/pypi/demo-pkg/json"),
        ("/pypi/Demo.Pkg/json/", "/pypi/demo-pkg/json/"),
        ("/pypi/DEMO_PKG/1.0/json", "/pypi/demo-pkg/1.0/json"),
        ("/pypi/demo_pkg/1.0/json/", "/pypi/demo-pkg/1.0/json/"),
        ("/pypi/demo-pkg/", "/project/demo-pkg/"),
    ],
)
def test_redirects(client: TestClient, project: None, path: str, location: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == location


def test_trailing_slash_variants(client: TestClient, project: None) -> None:
    assert client.get("/pypi/demo-pkg/json/").json()["info"]["version"] == "1.1"
    assert client.get("/pypi/demo-pkg/1.0/json/").json()["info"]["version"] == "1.0"


@pytest.mark.parametrize(
    "path",
    [
        "/pypi/unknown/json",
        "/pypi/nothing/json",
        "/pypi/demo-pkg/9.9/json",
        "/pypi/unknown/1.0/json",
    ],
)
def test_json_not_found(client: TestClient, project: None, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", ["/pypi/demo-pkg/xml", "/pypi/a/b/c/json", "/pypi//json"])
def test_other_pypi_paths_not_found(client: TestClient, project: None, path: str) -> None:
    assert client.get(path).status_code == 404
