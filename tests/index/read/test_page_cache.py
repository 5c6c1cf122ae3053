"""Unchanged pages cost one indexed serial query; a write makes the next read fresh."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from pypidesk.index.db.engine import Database
from pypidesk.index.read.cache import PageCache
from pypidesk.index.read.http import text_page
from pypidesk.index.settings import ServerSettings
from tests.index import factories

JSON = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def selects(client: TestClient) -> Iterator[list[str]]:
    """Every SELECT SQLite itself runs for the server, whichever layer sent it.

    SQLite's trace callback sees statements sent on raw DB-API connections too,
    which SQLAlchemy's events would miss.
    """
    statements: list[str] = []
    engine = client.app.state.database.engine

    def trace(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    event.listen(engine, "connect", trace)
    engine.dispose()  # every connection from now on is traced
    yield statements
    event.remove(engine, "connect", trace)


def _selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/simple/", "text/html"),
        ("/simple/", JSON),
        ("/simple/demo/", "text/html"),
        ("/simple/demo/", JSON),
        ("/pypi/demo/json", "*/*"),
        ("/pypi/demo/1.0/json", "*/*"),
        ("/project/demo/", "*/*"),
    ],
)
def test_repeated_read_is_one_serial_query_and_write_refreshes(
    client: TestClient,
    database: Database,
    server_settings: ServerSettings,
    selects: list[str],
    *,
    url: str,
    accept: str,
) -> None:
    with database.write() as session:
        factories.publish(session, server_settings, "demo", "1.0")
    first = client.get(url, headers={"Accept": accept})
    assert first.status_code == 200
    assert len(_selects(selects)) > 1
    selects.clear()
    second = client.get(url, headers={"Accept": accept})
    assert second.content == first.content
    # One indexed SELECT, in autocommit: not even a BEGIN. (The background
    # checkpointer's PRAGMA, after the write, may land in between on a busy machine.)
    read = [s for s in selects if not s.startswith("PRAGMA wal_checkpoint")]
    assert len(read) == 1, selects
    assert "max(journals.id)" in read[0] or "projects.last_serial" in read[0]

    with database.write() as session:
        factories.publish(session, server_settings, "demo", "1.1")
        factories.add_project(session, "other")
    selects.clear()
    third = client.get(url, headers={"Accept": accept})
    assert len(_selects(selects)) > 1
    assert third.content != first.content
    assert third.headers["etag"] != first.headers["etag"]
    assert int(third.headers["x-pypi-last-serial"]) > int(first.headers["x-pypi-last-serial"])


def test_new_project_shows_on_index(
    client: TestClient, database: Database, server_settings: ServerSettings
) -> None:
    assert client.get("/simple/", headers={"Accept": JSON}).json()["projects"] == []
    with database.write() as session:
        factories.add_project(session, "fresh")
    names = [
        p["name"] for p in client.get("/simple/", headers={"Accept": JSON}).json()["projects"]
    ]
    assert names == ["fresh"]


def test_links_come_from_the_server_address_never_the_host_header(
    client: TestClient, database: Database, server_settings: ServerSettings
) -> None:
    """A client's Host must not reach the links a cache would hand everyone (issue 12, #8)."""
    with database.write() as session:
        factories.publish(session, server_settings, "demo", "1.0")
    one = client.get("/simple/demo/", headers={"Host": "evil.test"}).text
    two = client.get("/simple/demo/", headers={"Host": "two.test:8080"}).text
    assert one == two
    assert "evil.test" not in one
    # The TestClient's connection arrives on index.test, port 80.
    assert "http://index.test/packages/" in one


def test_cache_evicts_least_recently_used_by_bytes() -> None:
    page = text_page(200, "x" * 100)
    cache = PageCache(max_bytes=250)
    cache.put("a", 1, page)
    cache.put("b", 1, page)
    assert cache.get("a", 1) is page
    cache.put("c", 1, page)
    assert len(cache) == 2
    assert cache.size == 200
    assert cache.get("b", 1) is None
    assert cache.get("a", 1) is page
    assert cache.get("a", 2) is None
    # Replacing an entry counts its bytes once.
    cache.put("a", 2, page)
    assert cache.size == 200
    # A page larger than the whole budget is still kept, alone.
    big = text_page(200, "y" * 1000)
    cache.put("big", 1, big)
    assert len(cache) == 1
    assert cache.get("big", 1) is big
