"""``/packages/<b2[:2]>/<b2[2:4]>/<b2[4:]>/<filename>``: files straight from storage.

The path is the file's BLAKE2b-256, so a URL names one content forever: the
ETag is that digest, caches may keep the bytes for a year, and serving needs no
database query. ``<file>.metadata`` (PEP 658) sits beside its wheel and is
served the same way. One byte range per request is honoured (what pip's and
uv's range requests send); several ranges get the whole file, as RFC 9110 allows.
"""

from __future__ import annotations

import os
import re
from typing import BinaryIO

from pypidesk.index.read.http import (
    SECURITY_HEADERS,
    Page,
    Scope,
    Send,
    header,
    send_page,
    text_page,
)

_PATH = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{60})/([^/\x00]+)")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")

NOT_FOUND = text_page(404, "404 Not Found")

_TYPES = {
    ".whl": b"application/octet-stream",
    ".metadata": b"application/octet-stream",
    ".gz": b"application/x-tar",
    ".zip": b"application/zip",
}


def content_type(filename: str) -> bytes:
    """The type to send; never a ``Content-Encoding`` a client would undo for us."""
    return _TYPES.get(filename[filename.rfind(".") :], b"application/octet-stream")


def resolve(packages_dir: str, relative: str) -> tuple[str, str, bytes] | None:
    """Storage path, filename and ETag of a ``/packages/`` path; None if it is not one.

    Strings rather than pathlib: this runs on every download.
    """
    match = _PATH.fullmatch(relative)
    if match is None or match.group(4).startswith("."):
        return None
    filename = match.group(4)
    suffix = "-metadata" if filename.endswith(".metadata") else ""
    etag = f'"{match.group(1)}{match.group(2)}{match.group(3)}{suffix}"'.encode()
    return f"{packages_dir}/{relative}", filename, etag


def parse_range(value: str | None, size: int) -> tuple[int, int] | bool | None:
    """``(first, last)`` of one satisfiable range; None: send it all; False: 416."""
    if value is None:
        return None
    match = _RANGE.fullmatch(value.strip())
    if match is None:
        return None
    first, last = match.groups()
    if first == "":
        # A suffix range: the last N bytes.
        length = int(last) if last else 0
        if not last:
            return None
        return (max(0, size - length), size - 1) if length and size else False
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None
    return False if start >= size else (start, end)


def _unsatisfiable(size: int) -> Page:
    body = b"416 Range Not Satisfiable\n"
    return Page(
        416,
        (
            (b"content-type", b"text/plain; charset=UTF-8"),
            (b"content-length", str(len(body)).encode()),
            (b"content-range", f"bytes */{size}".encode()),
            *SECURITY_HEADERS,
        ),
        body,
    )


async def serve_file(scope: Scope, send: Send, packages_dir: str, relative: str) -> None:
    """Send the stored file at ``relative``, honouring HEAD, ETags and one Range."""
    found = resolve(packages_dir, relative)
    if found is None:
        await send_page(scope, send, NOT_FOUND)
        return
    path, filename, etag = found
    try:
        handle = open(path, "rb")  # noqa: ASYNC230, PTH123, SIM115 - local, microseconds; closed below
    except OSError:
        await send_page(scope, send, NOT_FOUND)
        return
    with handle:
        # A directory fails to open above; the store holds nothing else.
        size = os.fstat(handle.fileno()).st_size
        await _send_file(scope, send, handle, size=size, filename=filename, etag=etag)


async def _send_file(
    scope: Scope, send: Send, handle: BinaryIO, *, size: int, filename: str, etag: bytes
) -> None:
    headers = [
        (b"content-type", content_type(filename)),
        (b"etag", etag),
        (b"cache-control", b"public, max-age=31536000, immutable"),
        (b"accept-ranges", b"bytes"),
        (b"access-control-allow-origin", b"*"),
        # The type comes from the file name; nosniff keeps browsers to it.
        *SECURITY_HEADERS,
    ]
    wanted = parse_range(header(scope, b"range"), size)
    if_range = header(scope, b"if-range")
    if if_range is not None and if_range.strip().encode() != etag:
        wanted = None
    if wanted is False:
        await send_page(scope, send, _unsatisfiable(size))
        return
    if not isinstance(wanted, tuple):
        # Whole file: a matching If-None-Match gets its 304 without a read.
        headers.append((b"content-length", str(size).encode()))
        page = Page(200, tuple(headers), b"", etag)
        await send_page(scope, send, page, stream_from=handle, length=size)
        return
    first, last = wanted
    headers.append((b"content-range", f"bytes {first}-{last}/{size}".encode()))
    headers.append((b"content-length", str(last - first + 1).encode()))
    handle.seek(first)
    page = Page(206, tuple(headers), b"")
    await send_page(scope, send, page, stream_from=handle, length=last - first + 1)
