"""Receiving the upload form as a stream, the file part straight into storage.

Starlette's ``request.form()`` would spool the file first and parse it again;
here python-multipart's streaming parser hands each slice of the ``content``
part to the storage's incoming file (which hashes as it writes), so memory
does not grow with the file. Text fields are collected up to a total cap.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from pypidesk.index.storage import IncomingFile
from pypidesk.index.upload.errors import UploadError, bad_request

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

# All text fields together; the long description is the only big one.
MAX_FIELDS_SIZE = 16 * 1024 * 1024
# Bodies up to this size are first collected whole and split with bytes
# methods, which is many times cheaper than the streaming parser's per-byte
# state machine; most wheels and sdists are this small.
WHOLE_BODY_LIMIT = 512 * 1024


@dataclass
class ReceivedForm:
    """What the client sent: text fields, the names of file parts, the file itself."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    file_fields: list[str] = field(default_factory=list)
    content: IncomingFile | None = None
    filename: str | None = None
    content_type: str | None = None
    error: UploadError | None = None

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    def discard(self) -> None:
        if self.content is not None:
            self.content.discard()


# What every upload client writes; anything else (escapes, RFC 2231 names,
# other order) goes through python-multipart's full header parser.
_PLAIN_DISPOSITION = re.compile(rb'form-data; name="([^"\\]*)"(?:; filename="([^"\\]*)")?')


def _disposition(header: bytes) -> tuple[bytes, bytes | None]:
    """A part's field name and file name (None for a text field)."""
    plain = _PLAIN_DISPOSITION.fullmatch(header)
    if plain is not None:
        return plain.group(1), plain.group(2)
    _, options = parse_options_header(header)
    return options.get(b"name", b""), options.get(b"filename")


class _PartCollector:
    """python-multipart callbacks that sort parts into a :class:`ReceivedForm`."""

    def __init__(self, form: ReceivedForm, open_content: Callable[[], IncomingFile | None]):
        self.form = form
        self._open_content = open_content
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._text: bytearray | None = None
        self._sink: IncomingFile | None = None
        self._fields_size = 0

    def on_part_begin(self) -> None:
        self._headers = {}
        self._text = None
        self._sink = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        name, filename = _disposition(self._headers.get(b"content-disposition", b""))
        self._name = name.decode("utf-8", errors="replace")
        if filename is None:
            self._text = bytearray()
            return
        if self._name == "content" and self.form.filename is None:
            self.form.filename = filename.decode("utf-8", errors="replace")
            # RFC 7578: a part without Content-Type is text/plain (uv sends none);
            # PyPI (WebOb) sees the same default and only refuses empty or image/*.
            part_type = self._headers.get(b"content-type", b"text/plain")
            self.form.content_type = part_type.decode("latin-1").strip()
            self.form.content = self._sink = self._open_content()
        else:
            self.form.file_fields.append(self._name)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._sink is not None:
            self._sink.write(memoryview(data)[start:end])
        elif self._text is not None:
            self._fields_size += end - start
            if self._fields_size > MAX_FIELDS_SIZE:
                raise bad_request("The form fields are too large.")
            self._text += data[start:end]

    def on_part_end(self) -> None:
        if self._text is not None:
            value = self._text.decode("utf-8", errors="replace")
            self.form.fields.setdefault(self._name, []).append(value)
        self._text = None
        self._sink = None

    def whole_part(self, headers: dict[bytes, bytes], data: bytes) -> None:
        """One part of a body split by :func:`split_whole_body`, through the same steps."""
        self.on_part_begin()
        self._headers = headers
        self.on_headers_finished()
        self.on_part_data(data, 0, len(data))
        self.on_part_end()


def split_whole_body(
    body: bytes, boundary: bytes
) -> list[tuple[dict[bytes, bytes], bytes]] | None:
    """The parts of a complete multipart body, or None if it is anything but plain.

    Plain means what upload clients send: no preamble, CRLF line ends, one
    ``Name: value`` header per line, the closing delimiter last. Anything else
    (None) goes to python-multipart, whose verdict on odd bodies stands.
    """
    delimiter = b"--" + boundary
    closing = b"\r\n" + delimiter + b"--"
    if body.endswith(b"\r\n"):
        body = body[:-2]
    if not (body.startswith(delimiter + b"\r\n") and body.endswith(closing)):
        return None
    inner = body[len(delimiter) + 2 : -len(closing)]
    parts = []
    for chunk in inner.split(b"\r\n" + delimiter + b"\r\n"):
        head, separator, data = chunk.partition(b"\r\n\r\n")
        if not separator or delimiter in data:
            return None
        headers = {}
        for line in head.split(b"\r\n"):
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip():
                return None
            headers[name.lower()] = value.strip()
        parts.append((headers, data))
    return parts


async def receive_form(
    chunks: AsyncIterable[bytes],
    content_type: str | None,
    open_content: Callable[[], IncomingFile | None],
) -> ReceivedForm:
    """Read the whole body; errors are kept in ``.error`` so the body is always drained."""
    form = ReceivedForm()
    mime, options = parse_options_header(content_type)
    if mime == b"multipart/form-data" and options.get(b"boundary"):
        collector = _PartCollector(form, open_content)
        stream = aiter(chunks)
        head = await _collect(stream, WHOLE_BODY_LIMIT)
        parts = None if head.more else split_whole_body(head.data, options[b"boundary"])
        if parts is None:
            await _stream_parts(collector, options[b"boundary"], _chained(head.data, stream))
            return form
        try:
            for headers, data in parts:
                collector.whole_part(headers, data)
        except UploadError as exc:
            form.error = exc
        return form
    body = bytearray()
    async for chunk in chunks:
        if len(body) + len(chunk) > MAX_FIELDS_SIZE:
            form.error = bad_request("The form fields are too large.")
        if form.error is None:
            body += chunk
    if form.error is None and mime == b"application/x-www-form-urlencoded":
        for name, value in urllib.parse.parse_qsl(body.decode("utf-8", errors="replace")):
            form.fields.setdefault(name, []).append(value)
    return form


async def _stream_parts(
    collector: _PartCollector, boundary: bytes, chunks: AsyncIterable[bytes]
) -> None:
    """Feed the body to python-multipart's streaming parser, part data straight to the sink."""
    form = collector.form
    callbacks: MultipartCallbacks = {
        "on_part_begin": collector.on_part_begin,
        "on_header_field": collector.on_header_field,
        "on_header_value": collector.on_header_value,
        "on_header_end": collector.on_header_end,
        "on_headers_finished": collector.on_headers_finished,
        "on_part_data": collector.on_part_data,
        "on_part_end": collector.on_part_end,
    }
    parser = MultipartParser(boundary, callbacks)
    async for chunk in chunks:
        if form.error is None:
            try:
                parser.write(chunk)
            except UploadError as exc:
                form.error = exc
            except MultipartParseError:
                form.error = bad_request("The form is not valid multipart/form-data.")
    if form.error is None:
        try:
            parser.finalize()
        except MultipartParseError:  # pragma: no cover - finalize only warns today
            form.error = bad_request("The form is not valid multipart/form-data.")


@dataclass
class _Head:
    """The start of a body: all of it unless ``more`` is true."""

    data: bytes
    more: bool


async def _collect(stream: AsyncIterator[bytes], limit: int) -> _Head:
    """Read until the body ends or passes ``limit`` bytes."""
    collected = bytearray()
    async for chunk in stream:
        collected += chunk
        if len(collected) > limit:
            return _Head(bytes(collected), more=True)
    return _Head(bytes(collected), more=False)


async def _chained(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk
