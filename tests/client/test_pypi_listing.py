"""On PyPI, "my projects" come from XML-RPC ``user_packages``, against a real XML-RPC server."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

import httpx
import pytest

from pypidesk.client.errors import IndexHTTPError, SignInRequiredError
from pypidesk.client.index_client import IndexClient
from pypidesk.client.profiles import Profile, ProfileKind
from pypidesk.client.xmlrpc import call


class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/pypi", "/html")

    def do_POST(self) -> None:  # noqa: N802 - the stdlib handler's name
        if self.path != "/html":
            super().do_POST()
            return
        # An index that answers 200 with a web page where XML-RPC should be.
        body = b"<html><body>Welcome</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass


def _user_packages(username: str) -> list[list[str]]:
    if username == "alice":
        return [["Owner", "Zeta"], ["Maintainer", "alpha"]]
    return []


@pytest.fixture(scope="module")
def fake_pypi() -> Iterator[str]:
    """A real XML-RPC server answering as PyPI's ``/pypi`` endpoint does."""
    server = SimpleXMLRPCServer(("127.0.0.1", 0), _Handler, logRequests=False)
    server.register_function(_user_packages, "user_packages")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _pypi(url: str) -> Profile:
    return Profile("PyPI", url + "/simple/", url + "/legacy/", ProfileKind.PYPI)


async def test_user_packages_lists_my_projects_with_roles(
    fake_pypi: str, http: httpx.AsyncClient
) -> None:
    client = IndexClient(http, _pypi(fake_pypi), username="alice", token="pypi-secret")
    capabilities = await client.capabilities()
    assert capabilities.xmlrpc_user_packages
    assert not capabilities.maintainer_api
    projects = await client.my_projects()
    assert [(p.name, p.role, p.latest_version) for p in projects] == [
        ("alpha", "Maintainer", None),
        ("Zeta", "Owner", None),
    ]


async def test_pypi_without_a_username_asks_to_sign_in(
    fake_pypi: str, http: httpx.AsyncClient
) -> None:
    with pytest.raises(SignInRequiredError, match="PyPI does not list everyone's projects"):
        await IndexClient(http, _pypi(fake_pypi)).my_projects()


async def test_a_fault_quotes_the_servers_text(fake_pypi: str, http: httpx.AsyncClient) -> None:
    with pytest.raises(IndexHTTPError, match="no_such_method"):
        await call(http, fake_pypi + "/pypi", "no_such_method")


async def test_a_non_xmlrpc_answer_is_an_error(fake_pypi: str, http: httpx.AsyncClient) -> None:
    with pytest.raises(IndexHTTPError, match="not an XML-RPC answer"):
        await call(http, fake_pypi + "/html", "user_packages", "alice")
