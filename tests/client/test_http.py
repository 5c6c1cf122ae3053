"""send(): every failure becomes the client's error, quoting what the server said."""

from __future__ import annotations

import http.server
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from pypidesk.client.errors import (
    AuthenticationError,
    IndexHTTPError,
    IndexUnreachableError,
    NotFoundError,
)
from pypidesk.client.http import MAX_QUOTED_BODY, send
from pypidesk.client.local_index import find_free_port
from tests.conftest import LiveServer

# path -> (status, reason phrase or None for the standard one, content type, body)
ANSWERS: dict[str, tuple[int, str | None, str, bytes]] = {
    "/ok": (200, None, "text/plain", b"fine"),
    "/created": (201, None, "text/plain", b""),
    "/json-message": (400, None, "application/json", b'{"message": "Bad version."}'),
    "/json-detail": (422, None, "application/json", b'{"detail": "Field required."}'),
    "/json-list": (400, None, "application/json", b'["not", "a", "dict"]'),
    "/json-other": (400, None, "application/json", b'{"error": "unexpected"}'),
    "/json-broken": (400, None, "application/json", b"{not json"),
    "/reason": (400, "File already exists. See https://x.org/help", "text/html", b"<h1>x</h1>"),
    "/plain": (409, None, "text/plain", b"  Conflict: " + b"x" * 1000 + b"\n"),
    "/html": (500, None, "text/html", b"<h1>Internal</h1>"),
    "/forbidden": (403, None, "text/plain", b""),
    "/missing": (404, None, "text/plain", b""),
    "/nonstandard": (599, None, "text/plain", b""),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, reason, content_type, body = ANSWERS[self.path]
        self.send_response(status, reason)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass


@pytest.fixture(scope="module")
def answers() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


async def _error(client: httpx.AsyncClient, url: str) -> IndexHTTPError:
    with pytest.raises(IndexHTTPError) as exc_info:
        await send(client, "GET", url)
    return exc_info.value


async def test_expected_status_returns_the_response(
    answers: str, client: httpx.AsyncClient
) -> None:
    assert (await send(client, "GET", answers + "/ok")).text == "fine"
    created = await send(client, "GET", answers + "/created", expect=(201,))
    assert created.status_code == 201
    with pytest.raises(IndexHTTPError):
        await send(client, "GET", answers + "/ok", expect=(201,))


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/json-message", 400, "Bad version."),
        ("/json-detail", 422, "Field required."),
        ("/json-list", 400, "Bad Request"),
        ("/json-broken", 400, "Bad Request"),
        ("/json-other", 400, "Bad Request"),
        ("/reason", 400, "File already exists. See https://x.org/help"),
        ("/html", 500, "Internal Server Error"),
    ],
)
async def test_the_servers_own_text_is_quoted(
    answers: str, client: httpx.AsyncClient, path: str, status: int, message: str
) -> None:
    error = await _error(client, answers + path)
    assert type(error) is IndexHTTPError
    assert (error.status_code, error.message, error.url) == (status, message, answers + path)
    assert str(error) == f"The index at {answers + path} answered {status}: {message}"


async def test_a_plain_text_body_is_quoted_shortened(
    answers: str, client: httpx.AsyncClient
) -> None:
    error = await _error(client, answers + "/plain")
    assert error.message.startswith("Conflict: xxx")
    assert len(error.message) == MAX_QUOTED_BODY


async def test_a_status_without_a_standard_phrase(answers: str, client: httpx.AsyncClient) -> None:
    error = await _error(client, answers + "/nonstandard")
    assert error.status_code == 599
    assert error.message == "no reason given"


async def test_forbidden_and_missing_have_their_own_classes(
    answers: str, client: httpx.AsyncClient
) -> None:
    assert isinstance(await _error(client, answers + "/forbidden"), AuthenticationError)
    assert isinstance(await _error(client, answers + "/missing"), NotFoundError)


async def test_a_live_index_refusal_quotes_its_json_message(
    live_server: LiveServer, client: httpx.AsyncClient
) -> None:
    with pytest.raises(AuthenticationError) as exc_info:
        await send(client, "GET", live_server.url + "/api/v1/account")
    assert exc_info.value.status_code == 401
    assert exc_info.value.message
    assert exc_info.value.message != "Unauthorized"


async def test_no_server_is_unreachable(client: httpx.AsyncClient) -> None:
    url = f"http://127.0.0.1:{find_free_port()}/simple/"
    with pytest.raises(IndexUnreachableError) as exc_info:
        await send(client, "GET", url)
    assert exc_info.value.url == url
    assert "Could not reach the index" in str(exc_info.value)
