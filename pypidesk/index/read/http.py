"""Pages as precomputed bytes, and the ASGI plumbing that sends them.

A :class:`Page` carries its complete header set and an ETag computed once, so a
cached page costs one ``send`` of bytes that already exist. Conditional
requests follow Warehouse's tween: a matching ``If-None-Match`` gets a 304.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, BinaryIO

import anyio.to_thread

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = tuple[tuple[bytes, bytes], ...]

# PyPI's read APIs allow any origin and expose the serial (section 2.9).
CORS_HEADERS: Headers = (
    (b"access-control-allow-origin", b"*"),
    (
        b"access-control-allow-headers",
        b"Content-Type, If-Match, If-Modified-Since, If-None-Match, If-Unmodified-Since",
    ),
    (b"access-control-allow-methods", b"GET"),
    (b"access-control-max-age", b"86400"),
    (b"access-control-expose-headers", b"X-PyPI-Last-Serial"),
)

# What PyPI sends on its pages (Warehouse's security tweens), so that no page or
# file is sniffed into HTML, framed, or made to load anything from elsewhere.
# Images may come from https: a README's badges are hot-linked; the pages carry
# no scripts, styles or forms of their own.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' https: data:; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Headers = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"deny"),
    (b"referrer-policy", b"origin-when-cross-origin"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
)
_SECURITY_NAMES = frozenset(name for name, _ in SECURITY_HEADERS)

# Bodies up to this size are read in one go on the event loop; larger ones are
# read from a worker thread in chunks, so a big download never stalls others.
INLINE_LIMIT = 1024 * 1024
CHUNK = 1024 * 1024

# Headers that describe a body; a 304 and a HEAD of a 304 drop them.
_BODY_HEADERS = frozenset({b"content-type", b"content-length", b"content-encoding"})


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    """A complete response: status, every header, the body and its ETag (None: no ETag)."""

    status: int
    headers: Headers
    body: bytes
    etag: bytes | None = None
    # The same page gzip-compressed, for clients that accept it (pip and uv do).
    gzipped: Page | None = None


def _build(
    status: int,
    content_type: str,
    body: bytes,
    headers: list[tuple[str, str]],
    *,
    etag: bool,
    cors: bool,
) -> Page:
    tag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'.encode() if etag else None
    raw = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode()),
    ]
    raw.extend((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers)
    if tag is not None:
        raw.append((b"etag", tag))
    if cors:
        raw.extend(CORS_HEADERS)
    raw.extend(SECURITY_HEADERS)
    return Page(status, tuple(raw), body, tag)


def make_page(
    status: int,
    content_type: str,
    body: bytes,
    headers: Iterable[tuple[str, str]] = (),
    *,
    etag: bool = True,
    cors: bool = True,
    compress: bool = False,
) -> Page:
    """Build a page; 200s get an MD5 ETag of their body, as Warehouse's tween adds.

    ``compress`` does what Warehouse's compression tween does: ``Vary:
    Accept-Encoding`` on the page, and a gzip variant with its own ETag, kept
    only if it is smaller.
    """
    extra = [(key.lower(), value) for key, value in headers]
    if compress:
        vary = [value for key, value in extra if key == "vary"]
        extra = [(key, value) for key, value in extra if key != "vary"]
        extra.append(("vary", ", ".join([*vary, "Accept-Encoding"])))
    page = _build(status, content_type, body, extra, etag=etag, cors=cors)
    if compress:
        squeezed = gzip.compress(body, compresslevel=6, mtime=0)
        if len(squeezed) < len(body):
            variant = [*extra, ("content-encoding", "gzip")]
            gzipped = _build(status, content_type, squeezed, variant, etag=etag, cors=cors)
            page = dataclasses.replace(page, gzipped=gzipped)
    return page


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (explicitly, or through ``*``) with q > 0."""
    qualities: dict[str, float] = {}
    for clause in (accept_encoding or "").split(","):
        coding, _, params = clause.partition(";")
        q = 1.0
        key, _, value = params.partition("=")
        if key.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        qualities[coding.strip().lower()] = q
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


def text_page(status: int, text: str, headers: Iterable[tuple[str, str]] = ()) -> Page:
    """A plain-text page without an ETag, e.g. the lightweight 404 of the simple API."""
    return make_page(
        status, "text/plain; charset=UTF-8", text.encode(), headers, etag=False, cors=False
    )


def redirect(location: str, *, cors: bool = True) -> Page:
    """A 301 that carries PyPI's CORS headers, as Warehouse's redirects do."""
    return make_page(
        301,
        "text/plain; charset=UTF-8",
        f"301 Moved Permanently\n\nThe resource has been moved to {location}\n".encode(),
        [("location", location)],
        etag=False,
        cors=cors,
    )


def secure_send(send: Send) -> Send:
    """Wrap ``send`` so every response carries :data:`SECURITY_HEADERS`.

    For responses not built as a :class:`Page` (the API, uploads, health);
    a header the response sets itself is left as it is.
    """

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {bytes(name).lower() for name, _ in headers} & _SECURITY_NAMES
            headers.extend(item for item in SECURITY_HEADERS if item[0] not in present)
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


def header(scope: Scope, name: bytes) -> str | None:
    """The first request header called ``name`` (lower case), decoded as Latin-1."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def etag_matches(if_none_match: str | None, etag: bytes) -> bool:
    """RFC 9110 weak comparison of ``If-None-Match`` against our strong ETag."""
    if not if_none_match:
        return False
    wanted = etag.decode()
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


async def send_page(
    scope: Scope,
    send: Send,
    page: Page,
    *,
    stream_from: BinaryIO | None = None,
    length: int = 0,
) -> None:
    """Send ``page``; HEAD gets no body, a fresh conditional GET gets a 304.

    With ``stream_from``, the body is ``length`` bytes read from that file
    instead of ``page.body``.
    """
    if page.gzipped is not None and accepts_gzip(header(scope, b"accept-encoding")):
        page = page.gzipped
    if page.etag is not None and etag_matches(header(scope, b"if-none-match"), page.etag):
        headers = [h for h in page.headers if h[0] not in _BODY_HEADERS]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": page.status, "headers": page.headers})
    if scope["method"] == "HEAD":
        await send({"type": "http.response.body", "body": b""})
    elif stream_from is None:
        await send({"type": "http.response.body", "body": page.body})
    else:
        await _stream(send, stream_from, length)


async def _stream(send: Send, handle: BinaryIO, length: int) -> None:
    """Send ``length`` bytes of ``handle``, from where it stands, as the body."""
    if length <= INLINE_LIMIT:
        await send({"type": "http.response.body", "body": handle.read(length)})
        return
    remaining = length
    while remaining > 0:
        chunk = await anyio.to_thread.run_sync(handle.read, min(CHUNK, remaining))
        remaining = remaining - len(chunk) if chunk else 0
        await send({"type": "http.response.body", "body": chunk, "more_body": remaining > 0})
