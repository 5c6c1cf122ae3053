"""Edge cases of the read layer: races, chunked bodies, clients without Host, time zones."""

from __future__ import annotations

import datetime as dt
import xmlrpc.client
from typing import Any

from sqlalchemy import delete
from starlette.testclient import TestClient

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import Project
from pypidesk.index.read.formats import as_utc, iso_time, unix_time
from pypidesk.index.read.records import ProjectSerial, SerialReader
from pypidesk.index.read.routes import base_url
from pypidesk.index.settings import ServerSettings
from tests.index import factories

JSON = "application/vnd.pypi.simple.v1+json"


class _WriterInBetween:
    """The real serial reader, with another process's delete landing right after it."""

    def __init__(self, real: SerialReader, database: Database) -> None:
        self.real = real
        self.database = database

    def project_serial(self, name: str) -> ProjectSerial | None:
        found = self.real.project_serial(name)
        with self.database.write() as session:
            session.execute(delete(Project).where(Project.normalized_name == name))
        return found


def test_project_deleted_between_serial_check_and_render(
    client: TestClient, database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        factories.publish(session, server_settings, "gone", "1.0")
    assert client.get("/simple/").status_code == 200
    service = client.app._read_side._service
    service.serials = _WriterInBetween(service.serials, database)
    response = client.get("/simple/gone/")
    assert response.status_code == 404
    service.serials = service.serials.real
    assert client.get("/simple/gone/").status_code == 404


def test_serial_reader_replaces_a_broken_connection(
    client: TestClient, database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        factories.publish(session, server_settings, "steady", "1.0")
    assert client.get("/simple/steady/").status_code == 200
    reader = client.app._read_side._service.serials
    # As if the database server had dropped the connection.
    reader._connection.dbapi_connection.close()
    with database.write() as session:
        factories.publish(session, server_settings, "steady", "1.1")
    response = client.get("/simple/steady/", headers={"Accept": JSON})
    assert response.json()["versions"] == ["1.0", "1.1"]


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


def test_serial_reader_close(database: Database, server_settings: ServerSettings) -> None:
    reader = SerialReader(database.engine)
    reader.close()  # nothing to give back yet
    assert reader.global_serial() == 0
    with database.write() as session:
        factories.add_project(session, "late")
    assert reader.project_serial("late") == ProjectSerial("late", 2)
    reader.close()
    assert reader.global_serial() == 2
    reader.close()
