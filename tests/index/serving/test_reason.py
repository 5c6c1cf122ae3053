"""Reason phrases: PyPI's ISO-8859-1 encoding, and the response that carries one."""

from __future__ import annotations

from pypidesk.index.serving.reason import ReasonResponse, _StatusLineRewriter, reason_phrase


def test_reason_phrase_encoding() -> None:
    assert reason_phrase("caf\u00e9 \u2603 ok") == b"caf\xe9 ? ok"
    assert reason_phrase("a\r\nb\x7f") == b"a??b?"


async def test_response_sends_reason_and_page() -> None:
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    response = ReasonResponse(400, "Bad <thing>")
    await response({"type": "http"}, None, send)  # type: ignore[arg-type]
    assert sent[0]["reason"] == b"Bad <thing>"
    assert sent[0]["status"] == 400
    assert b"Bad &lt;thing&gt;" in sent[1]["body"]
    ran: list[bool] = []

    async def task() -> None:
        ran.append(True)

    from starlette.background import BackgroundTask

    response = ReasonResponse(200, "OK", body="", background=BackgroundTask(task))
    await response({"type": "http"}, None, send)  # type: ignore[arg-type]
    assert sent[-1]["body"] == b""
    assert ran == [True]


def test_status_line_rewriter_only_touches_the_status_line() -> None:
    written: list[bytes] = []

    class Transport:
        def write(self, data: bytes) -> None:
            written.append(data)

        def is_closing(self) -> bool:
            return False

    rewriter = _StatusLineRewriter(
        Transport(), b"HTTP/1.1 400 Bad Request\r\n", b"HTTP/1.1 400 X\r\n"
    )
    rewriter.write(b"HTTP/1.1 400 Bad Request\r\nheader: 1\r\n\r\n")
    rewriter.write(b"body")
    assert written == [b"HTTP/1.1 400 X\r\nheader: 1\r\n\r\n", b"body"]
    assert rewriter.is_closing() is False
