"""Edge cases of the read layer: races, chunked bodies, clients without Host, time zones."""

from __future__ import annotations

import datetime as dt
import xmlrpc.client
from typing import Any

from sqlalchemy import delete, event
from starlette.testclient import TestClient

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import Project
from pypidesk.index.read.asgi import base_url
from pypidesk.index.read.formats import as_utc, iso_time, unix_time
from pypidesk.index.settings import ServerSettings
from tests.index import factories


def test_project_deleted_between_serial_check_and_render(
    client: TestClient, database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        factories.publish(session, server_settings, "gone", "1.0")
    engine = client.app.state.database.engine
    deleted = []

    def delete_after_serial_check(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if "SELECT projects.name, projects.last_serial" in statement and not deleted:
            with database.write() as session:
                session.execute(delete(Project).where(Project.normalized_name == "gone"))
            deleted.append(True)

    event.listen(engine, "after_cursor_execute", delete_after_serial_check)
    try:
        response = client.get("/simple/gone/")
    finally:
        event.remove(engine, "after_cursor_execute", delete_after_serial_check)
    assert deleted
    assert response.status_code == 404
    assert client.get("/simple/gone/").status_code == 404


async def test_xmlrpc_body_in_several_chunks(client: TestClient) -> None:
    body = xmlrpc.client.dumps((), "changelog_last_serial").encode()
    messages = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.request", "body": body[10:], "more_body": False},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/RPC2",
        "headers": [(b"content-type", b"text/xml")],
        "query_string": b"",
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
    }
    await client.app(scope, receive, send)
    assert sent[0]["status"] == 200
    assert xmlrpc.client.loads(sent[1]["body"])[0] == (0,)


def test_base_url_without_host_header() -> None:
    scope = {"scheme": "http", "headers": [], "server": ("10.0.0.1", 8000)}
    assert base_url(scope) == "http://10.0.0.1:8000"
    assert base_url({"scheme": "https", "headers": []}) == "https://127.0.0.1:80"


def test_aware_times_from_postgresql() -> None:
    moment = dt.datetime(2024, 1, 2, 5, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert as_utc(moment) == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert iso_time(moment) == "2024-01-02T03:04:05Z"
    assert unix_time(moment) == unix_time(dt.datetime(2024, 1, 2, 3, 4, 5)) == 1704164645
