"""Streaming form reception: fields, the file part into storage, malformed bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pypidesk.index.storage import LocalFileStorage
from pypidesk.index.upload import multipart
from pypidesk.index.upload.multipart import receive_form

BOUNDARY = "xXxBOUNDARYxXx"


def part(
    name: str, value: bytes, *, filename: str | None = None, ctype: str | None = None
) -> bytes:
    disposition = f'Content-Disposition: form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    headers = disposition + "\r\n" + (f"Content-Type: {ctype}\r\n" if ctype is not None else "")
    return f"--{BOUNDARY}\r\n{headers}\r\n".encode() + value + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


async def chunks(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


CTYPE = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "packages")


async def test_fields_and_file(storage: LocalFileStorage) -> None:
    data = body(
        part(":action", b"file_upload"),
        part("classifiers", b"A"),
        part("classifiers", "B \u00e9".encode()),
        part(
            "content",
            b"\x00binary\r\n--not-a-boundary" * 50,
            filename="x.whl",
            ctype="application/octet-stream",
        ),
        part("gpg_signature", b"sig", filename="x.whl.asc"),
        part("content", b"second", filename="y.whl"),
    )
    form = await receive_form(chunks(data), CTYPE, lambda: storage.incoming(10**6))
    assert form.error is None
    assert form.fields == {":action": ["file_upload"], "classifiers": ["A", "B \u00e9"]}
    assert form.filename == "x.whl"
    assert form.content_type == "application/octet-stream"
    assert form.file_fields == ["gpg_signature", "content"]
    assert form.content is not None
    assert form.content.read_path().read_bytes() == b"\x00binary\r\n--not-a-boundary" * 50
    assert form.first("nothing") is None
    form.discard()


async def test_part_without_content_type_is_text_plain(storage: LocalFileStorage) -> None:
    data = body(part("content", b"abc", filename="x.whl"))
    form = await receive_form(chunks(data), CTYPE, lambda: storage.incoming(10**6))
    assert form.content_type == "text/plain"
    form.discard()


async def test_refused_uploader_stores_nothing(storage: LocalFileStorage) -> None:
    data = body(part("content", b"abc", filename="x.whl"))
    form = await receive_form(chunks(data), CTYPE, lambda: None)
    assert form.content is None
    assert form.filename == "x.whl"
    form.discard()


async def test_malformed_multipart_is_drained(storage: LocalFileStorage) -> None:
    data = b"--" + BOUNDARY.encode() + b"\r\nbroken header line without colon\r\n\r\nx" * 3
    form = await receive_form(chunks(data), CTYPE, lambda: storage.incoming(10))
    assert form.error is not None
    assert form.error.message == "The form is not valid multipart/form-data."
    form.discard()


async def test_fields_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multipart, "MAX_FIELDS_SIZE", 10)
    data = body(part("description", b"x" * 20))
    form = await receive_form(chunks(data), CTYPE, lambda: None)
    assert form.error is not None
    assert form.error.message == "The form fields are too large."
    form = await receive_form(
        chunks(b"a=" + b"x" * 20), "application/x-www-form-urlencoded", lambda: None
    )
    assert form.error is not None
    assert form.fields == {}


async def test_urlencoded_and_unknown_bodies() -> None:
    form = await receive_form(
        chunks(b":action=submit&name=a%20b"), "application/x-www-form-urlencoded", lambda: None
    )
    assert form.fields == {":action": ["submit"], "name": ["a b"]}
    form = await receive_form(chunks(b"whatever"), None, lambda: None)
    assert (form.fields, form.error) == ({}, None)
    form = await receive_form(chunks(b"whatever"), "multipart/form-data", lambda: None)
    assert (form.fields, form.error) == ({}, None)
