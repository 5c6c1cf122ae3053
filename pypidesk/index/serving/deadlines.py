"""Deadlines on the wire: for a request's headers, and for each piece of its body.

uvicorn arms no timer on a connection until it has sent a first response (and
then only the keep-alive one), so a client that sends half a request line,
headers a byte a minute, or a body it never finishes holds its connection, the
memory behind it and a file descriptor forever (issue 12, finding 4). This
protocol, uvicorn's httptools one with the reason-phrase extension, adds what
Apache's ``RequestReadTimeout`` does:

- the headers of each request must arrive within ``header_timeout`` seconds of
  the connection opening (or of the request's first byte on a kept-alive
  connection), and within ``max_header_bytes``; else 408 or 431, and the
  connection is closed;
- while the app waits for more of a body, each piece must come within
  ``body_timeout`` seconds; else 408, the connection is closed and the app is
  told the client went away, so the upload discards its temporary file;
- a response sent before its request's body was read closes the connection,
  so the unread rest cannot keep it open.

Time the app spends not reading (writing to disk, checking) never counts
against the client: the body deadline runs only inside ``receive()``.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from pypidesk.index.serving.reason import ReasonHttpToolsProtocol

# Apache's LimitRequestFieldSize is 8 KiB a line, LimitRequestFields 100; nginx
# allows 4 x 8 KiB. Real clients send well under 8 KiB in all.
MAX_HEADER_BYTES = 64 * 1024


@dataclasses.dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """The deadlines one server process holds its connections to."""

    header_timeout: float = 10.0
    body_timeout: float = 20.0
    max_header_bytes: int = MAX_HEADER_BYTES


def _plain_response(status: bytes, text: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
        b"content-length: " + str(len(text)).encode() + b"\r\nconnection: close\r\n\r\n" + text
    )


HEADER_TIMEOUT_RESPONSE = _plain_response(
    b"408 Request Timeout", b"The request's headers took too long."
)
BODY_TIMEOUT_RESPONSE = _plain_response(
    b"408 Request Timeout", b"The request's body stopped coming."
)
HEADERS_TOO_LARGE_RESPONSE = _plain_response(
    b"431 Request Header Fields Too Large", b"The request's headers are too large."
)


def limits_of(app: Any) -> ConnectionLimits:
    """The limits the app carries (``connection_limits``), looking through wrappers."""
    for _ in range(8):
        limits = getattr(app, "connection_limits", None)
        if isinstance(limits, ConnectionLimits):
            return limits
        app = getattr(app, "app", None)
    return ConnectionLimits()


class DeadlineHttpProtocol(ReasonHttpToolsProtocol):
    """uvicorn's httptools protocol with deadlines for headers and for body pieces."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits_of(self.app)
        self._header_timer: asyncio.TimerHandle | None = None
        # Bytes received since the current request began, while its headers are incomplete.
        self._header_bytes: int | None = None
        self._requests_begun = 0

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # Count this piece if it only carried headers of one unfinished request
        # (a piece that also ended an earlier request is bounded by the read size).
        counting = self._header_bytes is not None
        begun = self._requests_begun
        super().data_received(data)
        if counting and self._header_bytes is not None and begun == self._requests_begun:
            self._header_bytes += len(data)
            if self._header_bytes > self.limits.max_header_bytes:
                self._refuse(HEADERS_TOO_LARGE_RESPONSE)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._requests_begun += 1
        self._await_headers()

    def on_headers_complete(self) -> None:
        self._stop_header_timer()
        self._header_bytes = None
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        # A request answered before its body was read (a refusal, a GET with a
        # body) would leave the rest of that body to trickle in untimed, since
        # no one waits for it: close instead of keeping the connection alive.
        if self.cycle.more_body and not self.transport.is_closing():
            self.transport.close()
        super().on_response_complete()

    def _await_headers(self) -> None:
        if self._header_bytes is None:
            self._header_bytes = 0
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(
                self.limits.header_timeout, self._headers_timed_out
            )

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_timed_out(self) -> None:
        self._header_timer = None
        self._refuse(HEADER_TIMEOUT_RESPONSE)

    def _refuse(self, response: bytes) -> None:
        """Answer ``response`` unless another response is under way, and close."""
        self._stop_header_timer()
        self._header_bytes = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            self.transport.write(response)
        self.transport.close()

    def body_timed_out(self, cycle: Any) -> None:
        """A body piece did not come in time: answer 408 if nothing was sent yet, close."""
        if not cycle.response_started and not self.transport.is_closing():
            self.transport.write(BODY_TIMEOUT_RESPONSE)
        # The app's later sends must not write after our answer.
        cycle.response_started = True
        cycle.disconnected = True
        self.transport.close()

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        cycle.receive = _DeadlineReceive(self, cycle, self.limits.body_timeout)
        super()._start_asgi_task(cycle, app)


class _DeadlineReceive:
    """The ASGI ``receive`` of one request, waiting at most ``timeout`` for each body piece."""

    def __init__(self, protocol: DeadlineHttpProtocol, cycle: Any, timeout: float) -> None:
        self._protocol = protocol
        self._cycle = cycle
        self._receive = cycle.receive
        self._timeout = timeout

    async def __call__(self) -> Any:
        cycle = self._cycle
        if not cycle.more_body or cycle.disconnected:
            # The body is complete: the app may wait here for a disconnect, untimed.
            return await self._receive()
        try:
            # asyncio.timeout rather than wait_for: on 3.11, wait_for can let a
            # CancelledError out when the deadline and the data arrive together.
            async with asyncio.timeout(self._timeout):
                return await self._receive()
        except TimeoutError:
            self._protocol.body_timed_out(cycle)
            return {"type": "http.disconnect"}
