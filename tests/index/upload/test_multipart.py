"""Streaming form reception: fields, the file part into storage, malformed bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


async def _both_ways(
    data: bytes, storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """What the whole-body splitter and the streaming parser make of ``data``."""

    async def seen() -> tuple[object, ...]:
        form = await receive_form(chunks(data, 13), CTYPE, lambda: storage.incoming(10**6))
        content = None if form.content is None else form.content.read_path().read_bytes()
        error = None if form.error is None else form.error.message
        form.discard()
        return form.fields, form.file_fields, form.filename, form.content_type, content, error

    whole = await seen()
    monkeypatch.setattr(multipart, "WHOLE_BODY_LIMIT", 0)
    streamed = await seen()
    monkeypatch.undo()
    return whole, streamed


names = st.text(alphabet=st.characters(blacklist_characters='"\r\n\\', codec="utf-8"), max_size=8)
values = st.binary(max_size=40).filter(lambda v: BOUNDARY.encode() not in v)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.lists(st.tuples(names, values), max_size=5),
    file=st.one_of(
        st.none(), st.tuples(names, values, st.sampled_from([None, "application/zip"]))
    ),
)
async def test_the_whole_body_splitter_agrees_with_the_streaming_parser(
    fields: list[tuple[str, bytes]],
    file: tuple[str, bytes, str | None] | None,
    storage: LocalFileStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parts = [part(name or "x", value) for name, value in fields]
    if file is not None:
        filename, content, ctype = file
        parts.append(part("content", content, filename=filename or "f.whl", ctype=ctype))
    whole, streamed = await _both_ways(body(*parts), storage, monkeypatch)
    assert whole == streamed


@pytest.mark.parametrize(
    "data",
    [
        b"",  # nothing at all
        b"preamble\r\n" + body(part("a", b"1")),  # a preamble
        body(part("a", b"1")).replace(b"\r\n", b"\n"),  # bare LF line ends
        body(part("a", b"1")).replace(b"Content-Disposition:", b"Content-Disposition :"),
        body(part("a", b"1")).replace(b'Content-Disposition: form-data; name="a"\r\n', b""),
        body(part("a", b"1")).removesuffix(b"--\r\n") + b"\r\n",  # no closing delimiter
        body(part("a", b"1")).replace(b"\r\n\r\n1", b"\r\nno colon here\r\n\r\n1"),
    ],
)
async def test_odd_bodies_get_the_streaming_parsers_verdict(
    data: bytes, storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert multipart.split_whole_body(data, BOUNDARY.encode()) is None
    whole, streamed = await _both_ways(data, storage, monkeypatch)
    assert whole == streamed


async def test_a_field_over_the_cap_in_a_small_body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multipart, "MAX_FIELDS_SIZE", 10)
    form = await receive_form(chunks(body(part("a", b"x" * 20))), CTYPE, lambda: None)
    assert form.error is not None
    assert form.error.message == "The form fields are too large."


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b'form-data; name="comment"', (b"comment", None)),
        (b'form-data; name="content"; filename="a.whl"', (b"content", b"a.whl")),
        (b'form-data; name="a\\"b"', (b'a"b', None)),  # an escape: the full parser
        (b'form-data; filename="x.whl"; name="content"', (b"content", b"x.whl")),
        (b"form-data; name=bare", (b"bare", None)),
        (b"", (b"", None)),
    ],
)
def test_content_disposition(header: bytes, expected: tuple[bytes, bytes | None]) -> None:
    assert multipart._disposition(header) == expected


async def test_a_field_over_the_cap_in_a_streamed_body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multipart, "WHOLE_BODY_LIMIT", 0)
    monkeypatch.setattr(multipart, "MAX_FIELDS_SIZE", 10)
    form = await receive_form(chunks(body(part("a", b"x" * 20))), CTYPE, lambda: None)
    assert form.error is not None
    assert form.error.message == "The form fields are too large."
