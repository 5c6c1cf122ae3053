"""The human project page: description, releases, files; redirects and 404s."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from pypidesk.index.db.engine import Database
from pypidesk.index.settings import ServerSettings
from tests.index import factories


@pytest.fixture
def project(database: Database, server_settings: ServerSettings) -> None:
    with database.write() as session:
        factories.publish(
            session,
            server_settings,
            "Nice_Pkg",
            "1.0",
            description_html="<h1>Nice <em>docs</em></h1>",
            summary="Nice & small",
        )
        old = factories.publish(session, server_settings, "Nice_Pkg", "0.1")
        factories.yank(session, old)
        factories.add_project(session, "bare")


def test_page_shows_description_releases_files(client: TestClient, project: None) -> None:
    response = client.get("/project/Nice_Pkg/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=UTF-8"
    html = response.text
    assert "<h1>Nice_Pkg 1.0</h1>" in html
    assert "<p>Nice &amp; small</p>" in html
    assert '<section class="description"><h1>Nice <em>docs</em></h1></section>' in html
    assert "nice_pkg-1.0-py3-none-any.whl</a>" in html
    assert "<li>0.1 (yanked)" in html
    assert html.index("<li>1.0") < html.index("<li>0.1")
    assert '<a href="/simple/nice-pkg/">' in html
    assert response.headers["x-pypi-last-serial"]


def test_project_without_releases(client: TestClient, project: None) -> None:
    assert "No releases yet." in client.get("/project/bare/").text


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/project/nice-pkg/", "/project/Nice_Pkg/"),
        ("/project/Nice_Pkg", "/project/Nice_Pkg/"),
    ],
)
def test_redirects(client: TestClient, project: None, path: str, location: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == location


@pytest.mark.parametrize("path", ["/project/unknown/", "/project/bare/1.0/"])
def test_not_found(client: TestClient, project: None, path: str) -> None:
    assert client.get(path).status_code == 404
