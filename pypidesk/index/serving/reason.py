"""Responses whose HTTP reason phrase carries the error text, as PyPI's do.

twine and other upload clients print the *reason phrase* of a failed upload
(PyPI puts the error there, encoded as ISO-8859-1 with ``?`` for what does not
fit). ASGI has no field for it, so :class:`ReasonResponse` adds a ``reason``
key to ``http.response.start`` and :class:`ReasonHttpToolsProtocol`, the
uvicorn protocol ``serve`` uses, writes it into the status line.
"""

from __future__ import annotations

import html
from typing import Any

from starlette.background import BackgroundTask
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol


def reason_phrase(text: str) -> bytes:
    """``text`` as a status-line reason: ISO-8859-1, ``?`` for the rest, no control chars."""
    cleaned = "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in text)
    return cleaned.encode("iso-8859-1", errors="replace")


def _error_page(status: int, text: str) -> str:
    body = html.escape(text)
    return (
        f"<html>\n <head>\n  <title>{status} {body}</title>\n </head>\n <body>\n"
        f"  <h1>{status} {body}</h1>\n  {body}<br/><br/>\n\n\n\n </body>\n</html>"
    )


class ReasonResponse(Response):
    """A response with a custom reason phrase; for errors a small page repeats it."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        *,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        content = _error_page(status_code, reason) if body is None else body
        super().__init__(
            content, status_code, headers, media_type="text/html", background=background
        )
        self.reason = reason_phrase(reason)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": self.raw_headers,
                "reason": self.reason,
            }
        )
        await send({"type": "http.response.body", "body": self.body})
        if self.background is not None:
            await self.background()


class _StatusLineRewriter:
    """Stands in for the transport during one write, replacing uvicorn's status line."""

    def __init__(self, transport: Any, standard: bytes, custom: bytes) -> None:
        self._transport = transport
        self._standard = standard
        self._custom = custom

    def write(self, data: bytes) -> None:
        if data.startswith(self._standard):
            data = self._custom + data[len(self._standard) :]
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _ReasonSender:
    """The ASGI ``send`` of one request cycle, writing a custom reason phrase."""

    def __init__(self, cycle: Any) -> None:
        self._cycle = cycle
        self._send = cycle.send

    async def __call__(self, message: Any) -> None:
        cycle = self._cycle
        reason = message.get("reason") if message["type"] == "http.response.start" else None
        if not reason or cycle.response_started or cycle.disconnected:
            await self._send(message)
            return
        if cycle.flow.write_paused:  # pragma: no cover - only under back-pressure
            await cycle.flow.drain()
        status = message["status"]
        custom = b"HTTP/1.1 %d %s\r\n" % (status, reason)
        transport = cycle.transport
        cycle.transport = _StatusLineRewriter(transport, STATUS_LINE[status], custom)
        try:
            await self._send(message)
        finally:
            cycle.transport = transport


class ReasonHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, honouring ``reason`` in ``http.response.start``.

    uvicorn writes the status line from a fixed table. Each request cycle's
    ``send`` is wrapped: after the optional drain, uvicorn writes the start
    message synchronously, so swapping the cycle's transport for that one call
    is safe. (Relies on uvicorn's ``_start_asgi_task``; the end-to-end tests
    with twine fail if a uvicorn upgrade changes it.)
    """

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        cycle.send = _ReasonSender(cycle)
        super()._start_asgi_task(cycle, app)
