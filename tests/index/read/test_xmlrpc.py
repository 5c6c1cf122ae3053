"""The XML-RPC mirroring trio, and faults for everything else."""

from __future__ import annotations

import xmlrpc.client

import pytest
from starlette.testclient import TestClient

from pypidesk.index.db.engine import Database
from pypidesk.index.read import xmlrpc as xmlrpc_module
from pypidesk.index.settings import ServerSettings
from tests.index import factories


def call(client: TestClient, method: str, *params: object, path: str = "/pypi") -> object:
    body = xmlrpc.client.dumps(params, method)
    response = client.post(path, content=body, headers={"Content-Type": "text/xml"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml"
    return xmlrpc.client.loads(response.content)[0][0]


@pytest.fixture
def journal(database: Database, server_settings: ServerSettings) -> None:
    with database.write() as session:
        factories.publish(session, server_settings, "Alpha", "1.0", sdist=False)
        factories.add_project(session, "beta")


@pytest.mark.parametrize("path", ["/pypi", "/pypi/", "/RPC2"])
def test_trio(client: TestClient, journal: None, path: str) -> None:
    assert call(client, "changelog_last_serial", path=path) == 6
    assert call(client, "list_packages_with_serial", path=path) == {"Alpha": 4, "beta": 6}
    entries = call(client, "changelog_since_serial", 2, path=path)
    assert [e[4] for e in entries] == [3, 4, 5, 6]
    name, version, timestamp, action, serial = entries[0]
    assert (name, version, action, serial) == ("Alpha", "1.0", "new release", 3)
    assert isinstance(timestamp, int)
    assert entries[2][1] is None


def test_changelog_is_capped(
    client: TestClient, journal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xmlrpc_module, "CHANGELOG_LIMIT", 2)
    assert [e[4] for e in call(client, "changelog_since_serial", 0)] == [1, 2]
    assert [e[4] for e in call(client, "changelog_since_serial", 2)] == [3, 4]


def test_empty_index(client: TestClient) -> None:
    assert call(client, "changelog_last_serial") == 0
    assert call(client, "list_packages_with_serial") == {}
    assert call(client, "changelog_since_serial", 0) == []


@pytest.mark.parametrize(
    ("method", "params", "code", "text"),
    [
        ("list_packages", (), -32500, "Use Simple API instead."),
        ("package_releases", ("x",), -32500, "Use JSON or Simple API instead."),
        ("search", ({"name": "x"},), -32500, "no longer supports 'pip search'"),
        ("system.multicall", ([],), -32500, "one at a time"),
        ("release_downloads", (), -32601, "'release_downloads' is not supported"),
        ("changelog_since_serial", ("1",), -32602, "client error; changelog_since_serial"),
        ("changelog_since_serial", (True,), -32602, "takes (int)"),
        ("changelog_last_serial", (1,), -32602, "takes (no arguments)"),
    ],
)
def test_faults(
    client: TestClient, method: str, params: tuple[object, ...], code: int, text: str
) -> None:
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call(client, method, *params)
    assert caught.value.faultCode == code
    assert text in caught.value.faultString


def test_malformed_body(client: TestClient) -> None:
    response = client.post("/RPC2", content=b"<not-xml", headers={"Content-Type": "text/xml"})
    with pytest.raises(xmlrpc.client.Fault) as caught:
        xmlrpc.client.loads(response.content)
    assert caught.value.faultCode == -32700


def test_oversized_body(client: TestClient) -> None:
    response = client.post("/RPC2", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413


def test_get_pypi_is_not_xmlrpc(client: TestClient) -> None:
    assert client.get("/pypi").status_code == 404
