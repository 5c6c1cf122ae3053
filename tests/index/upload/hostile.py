"""Hostile distributions of issue 12: small files that declare or expand to far more.

They are built directly as compressed streams: a run of zeros is deflated
once, in a block ended by a full flush (which resets the compressor's
history and aligns to a byte), and that block is repeated, so a 1000 MiB run
costs about a megabyte and a few milliseconds to build.
"""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass

from tests.index.upload.dists import Dist, make_wheel, metadata_text

MIB = 1024 * 1024


@dataclass(frozen=True)
class Zeros:
    """A run of ``mib`` MiB of zero bytes inside a compressed stream."""

    mib: int


def deflate(*parts: bytes | Zeros, wbits: int) -> tuple[bytes, int, int]:
    """The parts compressed (zlib ``wbits``: 31 gzip, -15 raw); with their CRC-32 and size."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    chunk = bytes(MIB)
    out = [compressor.compress(b"")]
    crc = size = 0
    for part in parts:
        if isinstance(part, Zeros):
            out.append(compressor.flush(zlib.Z_FULL_FLUSH))
            block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
            out.append(block * part.mib)
            for _ in range(part.mib):
                crc = zlib.crc32(chunk, crc)
            size += part.mib * MIB
        else:
            out.append(compressor.compress(part))
            crc = zlib.crc32(part, crc)
            size += len(part)
    out.append(compressor.flush())
    data = b"".join(out)
    if wbits > 16:
        # zlib writes a gzip trailer from its own running CRC, which the repeated
        # block never passed through: write the true one.
        data = data[:-8] + struct.pack("<II", crc, size & 0xFFFFFFFF)
    return data, crc, size


def _header(name: str, size: int, kind: bytes) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = kind
    return info.tobuf(tarfile.USTAR_FORMAT)


def _padding(size: int) -> bytes:
    return bytes(-size % tarfile.BLOCKSIZE)


def extended_header_sdist(
    kind: bytes, declared_mib: int, name: str = "tiny-pkg", version: str = "1.0"
) -> Dist:
    """A valid sdist behind one pax (``b"x"``) or GNU long-name (``b"L"``) header of zeros."""
    top = f"{name.replace('-', '_')}-{version}"
    pkg_info = metadata_text(name, version).encode()
    size = declared_mib * MIB
    data, _, _ = deflate(
        _header("././@Hostile", size, kind),
        Zeros(declared_mib),
        _header(f"{top}/PKG-INFO", len(pkg_info), tarfile.REGTYPE),
        pkg_info + _padding(len(pkg_info)),
        bytes(2 * tarfile.BLOCKSIZE),
        wbits=31,
    )
    return _dist(f"{top}.tar.gz", data, "sdist", "source", name, version)


def lying_metadata_wheel(expands_to_mib: int, declared: int = 100) -> Dist:
    """A wheel whose METADATA entry declares ``declared`` bytes and inflates to far more."""
    honest = make_wheel()
    metadata_name = "tiny_pkg-1.0.dist-info/METADATA"
    raw, crc, _ = deflate(Zeros(expands_to_mib), wbits=-15)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(honest.data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as target,
    ):
        for info in source.infolist():
            content = raw if info.filename == metadata_name else source.read(info)
            target.writestr(info.filename, content)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        entry = archive.getinfo(metadata_name)
    # Stored as is, then relabelled deflated, with the small size it claims.
    local = entry.header_offset
    struct.pack_into("<H", data, local + 8, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", data, local + 14, crc)
    struct.pack_into("<I", data, local + 22, declared)
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(metadata_name)] != metadata_name.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<H", data, central + 10, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, declared)
    return _dist(honest.filename, bytes(data), "bdist_wheel", "py3", "tiny-pkg", "1.0")


def _dist(filename: str, data: bytes, filetype: str, pyversion: str, *names: str) -> Dist:
    name, version = names
    return Dist(
        filename,
        data,
        filetype,
        pyversion,
        {
            "metadata_version": ["2.4"],
            "name": [name],
            "version": [version],
            "summary": ["A hostile test package"],
        },
    )
