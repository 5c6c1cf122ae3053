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


class ReasonHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, honouring ``reason`` in ``http.response.start``.

    uvicorn writes the status line from a fixed table; the start message is
    written synchronously after an optional drain, so swapping the transport
    for that one call is safe.
    """

    async def send(self, message: Any) -> None:
        reason = message.get("reason") if message["type"] == "http.response.start" else None
        if not reason or self.response_started:
            await super().send(message)
            return
        if self.flow.write_paused and not self.disconnected:  # pragma: no cover - timing
            await self.flow.drain()
        status = message["status"]
        custom = b"HTTP/1.1 %d %s\r\n" % (status, reason)
        transport = self.transport
        self.transport = _StatusLineRewriter(transport, STATUS_LINE[status], custom)
        try:
            await super().send(message)
        finally:
            self.transport = transport
