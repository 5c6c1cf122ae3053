"""A cap on the bodies of everything but uploads: the maintainer API takes small JSON.

FastAPI reads a JSON body whole into memory before the route runs, and before
any credentials are checked. Without a cap, one unauthenticated ``POST
/api/v1/sign-in`` declaring a gigabyte would make the server buffer it
(issue 12, finding 4). A declared length over the cap is answered 413 at once
and the connection closed; a body without a declared length (chunked) is cut
where it passes the cap.
"""

from __future__ import annotations

from pypidesk.index.read.http import Message, Receive, Scope, Send, header, text_page

# The largest API body is a yank reason or a token request: a few hundred bytes.
MAX_API_BODY = 1024 * 1024

TOO_LARGE = text_page(413, "413 Request Entity Too Large", [("connection", "close")])


def declared_too_large(scope: Scope, limit: int = MAX_API_BODY) -> bool:
    """Whether the request declares a body longer than ``limit``."""
    length = header(scope, b"content-length")
    return length is not None and length.strip().isdigit() and int(length) > limit


def bounded_receive(receive: Receive, limit: int = MAX_API_BODY) -> Receive:
    """``receive`` that reports a disconnect once more than ``limit`` body bytes came."""
    received = 0

    async def wrapped() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            return {"type": "http.disconnect"}
        return message

    return wrapped


async def refuse(send: Send) -> None:
    await send({"type": "http.response.start", "status": 413, "headers": TOO_LARGE.headers})
    await send({"type": "http.response.body", "body": TOO_LARGE.body})
