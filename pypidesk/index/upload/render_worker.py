"""The child process that renders long descriptions, one at a time, for its server.

Rendering is pure-Python and C work that never yields: a hostile description
(``"# h\\n"`` twenty thousand times) kept a server busy for 17 s, and a list
nested 300 deep overflowed the stack (issue 12). In a child process the
server stays free, and a render that runs out of time is ended by killing the
child, which a thread would not allow.

The protocol, over the child's stdin and stdout: each message is a 4-byte
big-endian length and that many bytes of UTF-8 JSON. A request is
``[description, content_type]``; the answer is ``[html]``, with ``null`` when
the description failed to render. The child announces itself with one
answer, ``["ready"]``, once the renderers are imported, so their import is
not counted against the first render's time limit.

Run as ``python -m pypidesk.index.upload.render_worker``.
"""

from __future__ import annotations

import json
import resource
import struct
import sys
from typing import IO, cast

from pypidesk.index.upload.description import render_html

_LENGTH = struct.Struct(">I")
READY = "ready"
# A render that needs more than this is refused rather than let grow: the
# child holds one description (capped) and what its parsers build from it.
ADDRESS_SPACE_LIMIT = 1024 * 1024 * 1024


def write_message(stream: IO[bytes], value: object) -> None:
    data = json.dumps(value).encode()
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def read_message(stream: IO[bytes]) -> object:
    """The next message; EOFError when the other side has closed the pipe."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    (length,) = _LENGTH.unpack(head)
    data = stream.read(length)
    if len(data) < length:
        raise EOFError
    return json.loads(data)


def render_safely(description: str, content_type: str) -> str | None:
    """The sanitized HTML, or None for any failure, a too-deep nesting or memory included."""
    try:
        return render_html(description, content_type)
    except (Exception, RecursionError, MemoryError):
        return None


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Answer requests until the server closes the pipe."""
    render_html("", "text/plain")  # imports the renderers before saying ready
    write_message(answers, [READY])
    while True:
        try:
            description, content_type = cast(list[str], read_message(requests))
        except EOFError:
            return
        write_message(answers, [render_safely(description, content_type)])


def main() -> None:  # pragma: no cover - runs as the child process; serve() is tested directly
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":  # pragma: no cover - the child's entry point
    main()
