"""Archive checks: validity, bombs, unsafe members, required files, METADATA extraction."""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from pypidesk.index.upload import archives
from pypidesk.index.upload.errors import UploadError
from tests.index.upload import hostile
from tests.index.upload.dists import make_sdist, make_wheel

INVALID = "Invalid distribution file."


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "dist"
    path.write_bytes(data)
    return path


def check_message(tmp_path: Path, data: bytes, filename: str) -> str:
    with pytest.raises(UploadError) as info:
        archives.check_archive(write(tmp_path, data), filename)
    assert info.value.status == 400
    return info.value.message


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def tar_bytes(members: dict[str, bytes], *, symlink: tuple[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    # A fixed gzip timestamp: these bytes can end up in a test's id, which
    # must be the same in every pytest-xdist worker.
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w") as archive,
    ):
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        if symlink:
            info = tarfile.TarInfo(symlink[0])
            info.type = tarfile.SYMTYPE
            info.linkname = symlink[1]
            archive.addfile(info)
    return buffer.getvalue()


def test_good_wheel_and_sdist(tmp_path: Path) -> None:
    wheel = make_wheel()
    contents = archives.check_archive(write(tmp_path, wheel.data), wheel.filename)
    archives.check_wheel_members(contents, wheel.filename)
    metadata = archives.read_wheel_metadata(contents, wheel.filename)
    assert metadata.startswith(b"Metadata-Version")
    sdist = make_sdist()
    contents = archives.check_archive(write(tmp_path, sdist.data), sdist.filename)
    assert contents.top_dir == "tiny_pkg-1.0"


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"not a zip", "x.whl", "File is not a zipfile"),
        (b"not a tar", "x.tar.gz", "File is not a tarfile"),
        (zip_bytes({"a": b"x"}), "x.tar.gz", "File is both a zip and a tar file"),
        (
            zip_bytes({"a": b"x"}, zipfile.ZIP_BZIP2),
            "x.whl",
            "File does not use a supported compression type",
        ),
        (
            zip_bytes({"../evil": b"x"}),
            "x.whl",
            "ZIP archive not accepted: Unsafe member name '../evil'. See "
            "https://docs.pypi.org/archives for more information.",
        ),
        (
            zip_bytes({"/abs": b"x"}),
            "x.whl",
            "ZIP archive not accepted: Unsafe member name '/abs'. See "
            "https://docs.pypi.org/archives for more information.",
        ),
        (
            zip_bytes({"C:x": b"x"}),
            "x.whl",
            "ZIP archive not accepted: Unsafe member name 'C:x'. See "
            "https://docs.pypi.org/archives for more information.",
        ),
        (
            tar_bytes({"p-1/PKG-INFO": b"", "p-1/../../x": b""}),
            "x.tar.gz",
            "tar archive not accepted: Unsafe member name 'p-1/../../x'. See "
            "https://docs.pypi.org/archives for more information.",
        ),
        (
            tar_bytes({"p-1/PKG-INFO": b""}, symlink=("p-1/link", "/etc/passwd")),
            "x.tar.gz",
            "tar archive not accepted: Unsafe member name 'p-1/link'. See "
            "https://docs.pypi.org/archives for more information.",
        ),
        (
            tar_bytes({"a/PKG-INFO": b"", "b/PKG-INFO": b""}),
            "x.tar.gz",
            "Incorrect number of top-level directories in sdist",
        ),
        (tar_bytes({"a/setup.py": b""}), "x.tar.gz", "PKG-INFO not found at a/PKG-INFO"),
    ],
)
def test_invalid_archives(data: bytes, filename: str, reason: str, tmp_path: Path) -> None:
    assert check_message(tmp_path, data, filename) == f"{INVALID} {reason}"


def test_duplicate_zip_member(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a", b"1")
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("a", b"2")
    assert check_message(tmp_path, buffer.getvalue(), "x.whl") == (
        f"{INVALID} ZIP archive not accepted: Duplicate member name 'a'. See "
        "https://docs.pypi.org/archives for more information."
    )


def test_truncated_zip_is_not_a_zipfile(tmp_path: Path) -> None:
    data = zip_bytes({"a": b"x" * 100})
    # A valid end record pointing at a central directory that is not there.
    broken = data[:10] + data[-22:]
    assert check_message(tmp_path, broken, "x.whl") == f"{INVALID} File is not a zipfile"


def test_sparse_tar_member(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.GNU_FORMAT) as archive:
        info = tarfile.TarInfo("p-1/PKG-INFO")
        archive.addfile(info, io.BytesIO(b""))
        sparse = tarfile.TarInfo("p-1/sparse")
        sparse.type = tarfile.GNUTYPE_SPARSE
        archive.addfile(sparse)
    message = check_message(tmp_path, buffer.getvalue(), "x.tar.gz")
    assert message.startswith(f"{INVALID} tar archive not accepted: Sparse members")


def test_compression_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "RATIO_THRESHOLD", 1000)
    zipped = zip_bytes({"big": b"\0" * 200_000})
    assert check_message(tmp_path, zipped, "x.whl") == (
        f"{INVALID} File exceeds compression ratio of 50"
    )
    tarred = tar_bytes({"p/PKG-INFO": b"\0" * 200_000})
    assert check_message(tmp_path, tarred, "x.tar.gz") == (
        f"{INVALID} File exceeds compression ratio of 50"
    )


def test_wheel_required_members(tmp_path: Path) -> None:
    for skip, expected in [
        (
            "tiny_pkg-1.0.dist-info/WHEEL",
            f"{INVALID} WHEEL not found at tiny_pkg-1.0.dist-info/WHEEL",
        ),
    ]:
        wheel = make_wheel(skip=(skip,))
        contents = archives.check_archive(write(tmp_path, wheel.data), wheel.filename)
        with pytest.raises(UploadError, match=expected):
            archives.check_wheel_members(contents, wheel.filename)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"skip": ("tiny_pkg-1.0.dist-info/RECORD",)},
            "Wheel 'tiny_pkg-1.0-py3-none-any.whl' does not contain the required RECORD file: "
            "tiny_pkg-1.0.dist-info/RECORD",
        ),
        (
            {"skip": ("tiny_pkg-1.0.dist-info/METADATA",)},
            "Wheel 'tiny_pkg-1.0-py3-none-any.whl' does not contain the required METADATA "
            "file: tiny_pkg-1.0.dist-info/METADATA",
        ),
        (
            {"members": {"tiny_pkg-1.0.dist-info/entry_points.txt": b"no section"}},
            "Wheel 'tiny_pkg-1.0-py3-none-any.whl' has invalid entry points defined in the "
            "entry_points.txt file",
        ),
    ],
)
def test_wheel_contents_errors(kwargs: dict, expected: str, tmp_path: Path) -> None:
    wheel = make_wheel(**kwargs)
    path = write(tmp_path, wheel.data)
    contents = archives.check_archive(path, wheel.filename)
    with pytest.raises(UploadError) as info:
        archives.read_wheel_metadata(contents, wheel.filename)
    assert info.value.message == expected


def test_valid_entry_points_and_oversized_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = make_wheel(
        members={"tiny_pkg-1.0.dist-info/entry_points.txt": b"[console_scripts]\nx = a:b\n"}
    )
    path = write(tmp_path, wheel.data)
    contents = archives.check_archive(path, wheel.filename)
    assert archives.read_wheel_metadata(contents, wheel.filename)
    monkeypatch.setattr(archives, "MAX_METADATA_SIZE", 10)
    with pytest.raises(UploadError, match="METADATA is too large"):
        archives.read_wheel_metadata(contents, wheel.filename)


def test_license_files(tmp_path: Path) -> None:
    wheel = make_wheel(members={"tiny_pkg-1.0.dist-info/licenses/LICENSE": b"MIT"})
    contents = archives.check_archive(write(tmp_path, wheel.data), wheel.filename)
    archives.check_license_files(contents, wheel.filename, ["LICENSE"], wheel=True)
    with pytest.raises(UploadError) as info:
        archives.check_license_files(contents, wheel.filename, ["COPYING"], wheel=True)
    assert info.value.message == (
        "License-File COPYING does not exist in distribution file "
        "tiny_pkg-1.0-py3-none-any.whl at tiny_pkg-1.0.dist-info/licenses/COPYING"
    )
    sdist = make_sdist(members={"tiny_pkg-1.0/LICENSE": b"MIT"})
    contents = archives.check_archive(write(tmp_path, sdist.data), sdist.filename)
    archives.check_license_files(contents, sdist.filename, ["LICENSE"], wheel=False)


def test_dist_info_dir_of_odd_names() -> None:
    assert archives.dist_info_dir("nodash.whl") == "nodash.whl-.dist-info"


MISMATCH = (
    f"{INVALID} ZIP archive not accepted: tiny_pkg-1.0.dist-info/METADATA does not match the "
    "size and checksum its entry records. See https://docs.pypi.org/archives for more information."
)


def test_corrupt_metadata_member(tmp_path: Path) -> None:
    wheel = make_wheel(compression=zipfile.ZIP_STORED)
    marker = b"Metadata-Version: 2.4"
    data = wheel.data.replace(marker, b"Metadata-Version: 9.9")  # breaks the CRC
    path = write(tmp_path, data)
    contents = archives.check_archive(path, wheel.filename)
    with pytest.raises(UploadError) as info:
        archives.read_wheel_metadata(contents, wheel.filename)
    assert info.value.message == MISMATCH


def _member_span(data: bytes, name: str) -> tuple[int, int]:
    """Where the member's compressed bytes lie in the archive."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    local_header = struct.unpack("<26xHH", data[info.header_offset : info.header_offset + 30])
    start = info.header_offset + 30 + local_header[0] + local_header[1]
    return start, info.compress_size


def test_unreadable_members_are_refused_at_their_step(tmp_path: Path) -> None:
    """A corrupt deflate stream or an encrypted member: a 400, never a server error."""
    metadata = "tiny_pkg-1.0.dist-info/METADATA"
    wheel = make_wheel(members={"tiny_pkg-1.0.dist-info/entry_points.txt": b"[a]\nb = c\n"})
    start, length = _member_span(wheel.data, metadata)
    corrupt = bytearray(wheel.data)
    corrupt[start : start + length] = b"\xff" * length  # not a deflate stream
    contents = archives.check_archive(write(tmp_path, bytes(corrupt)), wheel.filename)
    with pytest.raises(UploadError) as info:
        archives.read_wheel_metadata(contents, wheel.filename)
    assert info.value.message == MISMATCH

    # The central directory's "encrypted" flag on entry_points.txt: zipfile wants a password.
    encrypted = bytearray(wheel.data)
    name = b"tiny_pkg-1.0.dist-info/entry_points.txt"
    entry = encrypted.find(b"PK\x01\x02")
    while encrypted[entry + 46 : entry + 46 + len(name)] != name:
        entry = encrypted.find(b"PK\x01\x02", entry + 4)
    encrypted[entry + 8] |= 0x01
    contents = archives.check_archive(write(tmp_path, bytes(encrypted)), wheel.filename)
    assert contents.read_ahead[name.decode()] is None
    with pytest.raises(UploadError) as info:
        archives.read_wheel_metadata(contents, wheel.filename)
    assert "has invalid entry points" in info.value.message


def test_an_oversized_entry_points_file_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archives, "MAX_METADATA_SIZE", 5)
    wheel = make_wheel(members={"tiny_pkg-1.0.dist-info/entry_points.txt": b"[a]\nb = c\n"})
    contents = archives.check_archive(write(tmp_path, wheel.data), wheel.filename)
    assert "tiny_pkg-1.0.dist-info/entry_points.txt" not in contents.read_ahead
    with pytest.raises(UploadError) as info:
        archives.read_wheel_metadata(contents, wheel.filename)
    assert "has invalid entry points" in info.value.message


def test_a_metadata_entry_that_lies_about_its_size_is_read_only_to_that_size(
    tmp_path: Path,
) -> None:
    """Issue 12, finding 3: 100 bytes declared, 1000 MiB inside; one chunk is inflated."""
    wheel = hostile.lying_metadata_wheel(1000)
    tracemalloc.start()
    try:
        contents = archives.check_archive(write(tmp_path, wheel.data), wheel.filename)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * hostile.MIB
    with pytest.raises(UploadError) as info:
        archives.read_wheel_metadata(contents, wheel.filename)
    assert info.value.message == MISMATCH


@pytest.mark.parametrize("kind", [b"x", b"g", b"L", b"K"])
def test_an_extended_tar_header_past_the_cap_is_refused_unread(
    kind: bytes, tmp_path: Path
) -> None:
    """Issue 12, finding 2: a pax header or GNU long name declaring 1000 MiB."""
    sdist = hostile.extended_header_sdist(kind, 1000)
    tracemalloc.start()
    try:
        message = check_message(tmp_path, sdist.data, sdist.filename)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * hostile.MIB
    assert message == (
        f"{INVALID} tar archive not accepted: An extended header of {1000 * hostile.MIB} "
        "bytes is larger than the 256 KiB allowed. See https://docs.pypi.org/archives for "
        "more information."
    )


def raw_tar(*blocks: bytes) -> bytes:
    return gzip.compress(b"".join(blocks) + bytes(1024), mtime=0)


def header(name: str, size: int, kind: bytes = tarfile.REGTYPE) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = kind
    return info.tobuf(tarfile.GNU_FORMAT)


def pax_record(key: str, value: str) -> bytes:
    body = f" {key}={value}\n".encode()
    length = len(body) + 1
    while len(str(length)) + len(body) != length:
        length += 1
    return str(length).encode() + body


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % tarfile.BLOCKSIZE)


def test_small_extended_headers_are_read_as_before(tmp_path: Path) -> None:
    long_name = "p-1/" + "d" * 150 + "/module.py"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name in ("p-1/PKG-INFO", long_name):
            archive.addfile(tarfile.TarInfo(name))
    contents = archives.check_archive(write(tmp_path, buffer.getvalue()), "p-1.tar.gz")
    assert long_name in contents.names


def test_a_chain_of_extended_headers_is_refused(tmp_path: Path) -> None:
    record = padded(pax_record("comment", "x"))
    chain = [header("././@PaxHeader", len(pax_record("comment", "x")), b"x") + record] * 5
    data = raw_tar(*chain, header("p-1/PKG-INFO", 0))
    assert check_message(tmp_path, data, "p-1.tar.gz") == (
        f"{INVALID} tar archive not accepted: More than 4 extended headers precede one "
        "member. See https://docs.pypi.org/archives for more information."
    )
    # Four are still read.
    contents = archives.check_archive(
        write(tmp_path, raw_tar(*chain[:4], header("p-1/PKG-INFO", 0))), "p-1.tar.gz"
    )
    assert contents.names == {"p-1/PKG-INFO"}


def test_a_negative_member_size_is_refused(tmp_path: Path) -> None:
    data = raw_tar(header("p-1/PKG-INFO", 0), header("p-1/back", -512))
    assert check_message(tmp_path, data, "p-1.tar.gz") == (
        f"{INVALID} tar archive not accepted: Member 'p-1/back' declares a negative size. "
        "See https://docs.pypi.org/archives for more information."
    )


@pytest.mark.parametrize(
    "records",
    [
        {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": "p-1/s"},
        {"GNU.sparse.map": "0,1", "GNU.sparse.size": "1"},
        {"GNU.sparse.size": "1", "GNU.sparse.offset": "0", "GNU.sparse.numbytes": "1"},
    ],
)
def test_pax_sparse_maps_are_refused_unread(records: dict[str, str], tmp_path: Path) -> None:
    """Format 1.0 keeps its map in the data: here a count of 10**9 and endless digits."""
    payload = b"".join(pax_record(k, v) for k, v in records.items())
    data = raw_tar(
        header("p-1/PKG-INFO", 0),
        header("././@PaxHeader", len(payload), b"x"),
        padded(payload),
        header("p-1/s", 4096),
        b"1000000000\n" + b"1" * 4085,
    )
    assert check_message(tmp_path, data, "p-1.tar.gz").startswith(
        f"{INVALID} tar archive not accepted: Sparse members are not allowed."
    )
