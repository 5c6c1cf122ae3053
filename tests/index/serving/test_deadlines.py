"""The deadline protocol's edges, driven in-process with a transport that records.

The live tests (test_connection_limits.py) show the deadlines hold against a
real ``serve``; these reach what a live client cannot time reliably: a
deadline that fires while an earlier response is still being written, or
after the connection is already closing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from pypidesk.index.serving.deadlines import (
    ConnectionLimits,
    DeadlineHttpProtocol,
    limits_of,
)

LIMITS = ConnectionLimits(header_timeout=5, body_timeout=5, max_header_bytes=1000)


class App:
    """An ASGI app that answers 204, carrying the limits as the index app does."""

    connection_limits = LIMITS

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


class Transport:
    def __init__(self) -> None:
        self.written = b""
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 5000)}.get(name)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_protocol(self, protocol: Any) -> None:  # pragma: no cover - upgrades only
        pass


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    _run_requests(loop)
    loop.close()


def _run_requests(loop: asyncio.AbstractEventLoop) -> None:
    """Let the requests started so far finish, as a server's loop would."""

    async def finish() -> None:
        await asyncio.gather(*asyncio.all_tasks(loop) - {asyncio.current_task()})

    loop.run_until_complete(finish())


def _protocol(loop: asyncio.AbstractEventLoop) -> tuple[DeadlineHttpProtocol, Transport]:
    config = Config(app=App(), log_config=None, http=DeadlineHttpProtocol)
    protocol = DeadlineHttpProtocol(config, ServerState(), {}, _loop=loop)
    transport = Transport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    return protocol, transport


def test_the_limits_are_found_through_wrappers() -> None:
    # uvicorn's proxy-headers middleware wraps the app here; the limits are still found.
    config = Config(app=App(), log_config=None)
    config.load()
    assert config.loaded_app is not App
    assert limits_of(config.loaded_app) is LIMITS
    assert limits_of(object()) == ConnectionLimits()


def test_headers_in_pieces_under_the_cap_pass_and_over_it_get_431(
    loop: asyncio.AbstractEventLoop,
) -> None:
    protocol, transport = _protocol(loop)
    protocol.data_received(b"GET / HTTP/1.1\r\n")
    protocol.data_received(b"X-A: " + b"a" * 400 + b"\r\n")
    assert not transport.closing
    protocol.data_received(b"X-B: " + b"b" * 700 + b"\r\n")
    assert transport.closing
    assert transport.written.startswith(b"HTTP/1.1 431 ")
    protocol.connection_lost(None)


def test_a_header_deadline_during_an_earlier_response_only_closes(
    loop: asyncio.AbstractEventLoop,
) -> None:
    protocol, transport = _protocol(loop)
    protocol.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\n")
    # The first request's answer has not been written: the second's deadline
    # must not write into the middle of it.
    assert protocol.cycle is not None
    assert not protocol.cycle.response_complete
    assert protocol._header_timer is not None
    protocol._headers_timed_out()
    assert transport.closing
    assert transport.written == b""
    # Already closing: nothing more is written.
    protocol._refuse(b"late")
    assert transport.written == b""
    protocol.connection_lost(None)


def test_a_body_deadline_after_the_answer_started_writes_nothing(
    loop: asyncio.AbstractEventLoop,
) -> None:
    protocol, transport = _protocol(loop)
    protocol.data_received(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
    cycle = protocol.cycle
    cycle.response_started = True
    protocol.body_timed_out(cycle)
    assert transport.written == b""
    assert transport.closing
    assert cycle.disconnected
    # A second piece of bad news on a closing connection writes nothing either.
    other = protocol.cycle
    other.response_started = False
    protocol.body_timed_out(other)
    assert transport.written == b""
    protocol.connection_lost(None)


def test_an_answer_before_the_body_closes_the_connection(
    loop: asyncio.AbstractEventLoop,
) -> None:
    protocol, transport = _protocol(loop)
    protocol.data_received(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12")
    _run_requests(loop)
    assert transport.written.startswith(b"HTTP/1.1 204 ")
    assert transport.closing
    protocol.connection_lost(None)


def test_a_whole_body_keeps_the_connection(loop: asyncio.AbstractEventLoop) -> None:
    protocol, transport = _protocol(loop)
    protocol.data_received(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n12")
    _run_requests(loop)
    assert transport.written.startswith(b"HTTP/1.1 204 ")
    assert not transport.closing
    protocol.connection_lost(None)


class Reader:
    """Reads the whole body, then answers 200; remembers what ``receive`` gave."""

    connection_limits = ConnectionLimits(body_timeout=0.05)

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            self.messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        # After the answer, as a streaming response listens for a disconnect: untimed.
        self.messages.append(await receive())


def _reader(loop: asyncio.AbstractEventLoop) -> tuple[Reader, DeadlineHttpProtocol, Transport]:
    app = Reader()
    config = Config(app=app, log_config=None, http=DeadlineHttpProtocol, proxy_headers=False)
    protocol = DeadlineHttpProtocol(config, ServerState(), {}, _loop=loop)
    transport = Transport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    return app, protocol, transport


def test_a_body_that_stops_gets_408_and_the_app_a_disconnect(
    loop: asyncio.AbstractEventLoop,
) -> None:
    app, protocol, transport = _reader(loop)
    protocol.data_received(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12")
    _run_requests(loop)
    assert transport.written.startswith(b"HTTP/1.1 408 Request Timeout")
    assert transport.closing
    assert app.messages[-1] == {"type": "http.disconnect"}
    protocol.connection_lost(None)


def test_a_body_that_comes_in_time_is_read_whole(loop: asyncio.AbstractEventLoop) -> None:
    app, protocol, transport = _reader(loop)
    protocol.data_received(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n12")
    loop.call_soon(protocol.data_received, b"34")
    _run_requests(loop)
    assert transport.written.startswith(b"HTTP/1.1 200 ")
    assert b"".join(m.get("body", b"") for m in app.messages) == b"1234"
    assert app.messages[-1] == {"type": "http.disconnect"}
    protocol.connection_lost(None)
