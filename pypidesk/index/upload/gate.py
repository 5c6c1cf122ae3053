"""How many uploads one server process receives at once (``serve --max-concurrent-uploads``).

Each upload being received holds a temporary file, a file descriptor and up
to :data:`pypidesk.index.upload.multipart.MAX_FIELDS_SIZE` of text fields in
memory; without a cap, enough slow uploads at once exhaust the process (issue
12, finding 4). Over the cap an upload is answered 503 at once, before its
body is read. Only uploads whose credentials passed (or whose body is small)
take a place: refused ones are drained without parsing and never wait here.
"""

from __future__ import annotations


class UploadGate:
    """A count of uploads in progress, up to ``limit``; used on the event loop only."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0

    def enter(self) -> bool:
        """Take a place; False if all ``limit`` are taken."""
        if self.active >= self.limit:
            return False
        self.active += 1
        return True

    def leave(self) -> None:
        self.active -= 1
