"""The upload form as a stream: fields first, then the file read in chunks, with progress.

httpx would build the same body from ``data=`` and ``files=``, but it reads
the file inside its own iterator and reports no progress. Here the body's
length is known before the first byte (a ``Content-Length``, as twine sends,
not chunked encoding, which some indexes refuse), memory stays at one chunk
whatever the file's size, and each chunk is counted as it leaves.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

#: Read size: large enough for full speed, small enough that reading one never stalls a GUI loop.
CHUNK_SIZE = 1 << 18

Sent = Callable[[int], None]


def _quote(value: str) -> str:
    # As browsers, urllib3 and requests-toolbelt (twine's encoder) do for form-data names.
    return value.replace("\\", "\\\\").replace('"', '\\"')


class MultipartForm:
    """``fields`` (name, text) and one file part, as ``multipart/form-data``."""

    def __init__(
        self,
        fields: Sequence[tuple[str, str]],
        file_field: str,
        path: Path,
        *,
        filename: str | None = None,
        content_type: str = "application/octet-stream",
    ) -> None:
        self.boundary = secrets.token_hex(16)
        self.path = path
        head = bytearray()
        for name, value in fields:
            head += f"--{self.boundary}\r\n".encode()
            head += f'Content-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'.encode()
            head += value.encode("utf-8") + b"\r\n"
        head += f"--{self.boundary}\r\n".encode()
        head += (
            f'Content-Disposition: form-data; name="{_quote(file_field)}"; '
            f'filename="{_quote(filename or path.name)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self._head = bytes(head)
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.file_size = path.stat().st_size
        self.length = len(self._head) + self.file_size + len(self._tail)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    async def body(self, sent: Sent) -> AsyncIterator[bytes]:
        """The body's bytes; ``sent(n)`` after each piece is handed to the transport."""
        yield self._head
        sent(len(self._head))
        with self.path.open("rb") as stream:
            while chunk := stream.read(CHUNK_SIZE):
                yield chunk
                sent(len(chunk))
        yield self._tail
        sent(len(self._tail))
