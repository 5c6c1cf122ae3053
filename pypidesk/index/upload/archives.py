"""Archive checks (upload check 22 of docs/pypi-behaviour.md, and members for 23-24).

The file is opened, never extracted: zip central directories and tar headers
are read to find broken archives, compression bombs, unsafe member names and
the files a distribution must contain. The wheel's ``METADATA`` is read out
so it can be stored beside the wheel (PEP 658).
"""

from __future__ import annotations

import configparser
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pypidesk.index.upload.errors import bad_request

MAX_RATIO = 50
RATIO_THRESHOLD = 64 * 1024 * 1024
ARCHIVES_HELP = "See https://docs.pypi.org/archives for more information."
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
# A METADATA larger than this is not core metadata; refuse rather than hold it in memory.
MAX_METADATA_SIZE = 16 * 1024 * 1024
# Zip members are decompressed this much at a time: zipfile's read() of a
# whole member inflates all its compressed bytes in one call, however much
# they expand to, before it cuts the result to the declared size (issue 12).
READ_CHUNK = 64 * 1024
# What a tar member's header counts towards the compression ratio: a stream
# of empty members is all headers, and each one costs memory to list.
TAR_HEADER_SIZE = 512


def _invalid(reason: str = "") -> Exception:
    return bad_request(f"Invalid distribution file. {reason}".rstrip())


@dataclass
class ArchiveContents:
    """Member names of a checked archive, and the sdist's one top-level directory."""

    names: set[str] = field(default_factory=set)
    top_dir: str = ""
    # A wheel's METADATA and entry_points.txt, read while the archive was open
    # for the checks (None: unreadable), so it is opened once; their errors
    # are still reported at their check (24), by read_wheel_metadata.
    read_ahead: dict[str, bytes | None] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _unsafe(name: str) -> bool:
    """Absolute, escaping (``..``), Windows-style or control-character member names."""
    return (
        name.startswith(("/", "\\"))
        or ".." in name.split("/")
        or "\\" in name
        or (len(name) > 1 and name[1] == ":")
        or _CONTROL.search(name) is not None
    )


def check_archive(path: Path, filename: str) -> ArchiveContents:
    """Upload check 22: a valid zip (wheel, zip sdist) or tar.gz (sdist), safe and no bomb."""
    size = path.stat().st_size
    if filename.endswith(".tar.gz"):
        if zipfile.is_zipfile(path):
            raise _invalid("File is both a zip and a tar file")
        return _check_tar(path, size)
    # Opening the zip finds its end record, as is_zipfile would, and fails the same way.
    dist_info = dist_info_dir(filename)
    wanted = (f"{dist_info}/METADATA", f"{dist_info}/entry_points.txt")
    return _check_zip(path, size, wanted if filename.endswith(".whl") else ())


def _check_zip(path: Path, size: int, read_ahead: tuple[str, ...]) -> ArchiveContents:
    try:
        with zipfile.ZipFile(path) as archive:
            contents = _check_zip_members(archive.infolist(), size)
            _read_ahead(archive, contents, read_ahead)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _invalid("File is not a zipfile") from None
    return contents


def _read_ahead(
    archive: zipfile.ZipFile, contents: ArchiveContents, names: tuple[str, ...]
) -> None:
    for name in names:
        if name not in contents.names:
            continue
        info = archive.getinfo(name)
        contents.sizes[name] = info.file_size
        if info.file_size > MAX_METADATA_SIZE:
            continue  # refused later; never held in memory
        try:
            contents.read_ahead[name] = _read_member(archive, info)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, zlib.error):
            contents.read_ahead[name] = None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, decompressed a chunk at a time and never past its declared size.

    zipfile stops at the size the central directory declares; a member
    whose data holds more (or other) bytes then fails its CRC check, which
    raises BadZipFile here, before more than one chunk beyond was inflated.
    """
    chunks = []
    with archive.open(info) as member:
        while chunk := member.read(READ_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def _check_zip_members(infos: list[zipfile.ZipInfo], size: int) -> ArchiveContents:
    contents = ArchiveContents()
    total = 0
    for info in infos:
        name = info.filename
        if _unsafe(name):
            raise _invalid(
                f"ZIP archive not accepted: Unsafe member name {name!r}. {ARCHIVES_HELP}"
            )
        if name in contents.names:
            raise _invalid(
                f"ZIP archive not accepted: Duplicate member name {name!r}. {ARCHIVES_HELP}"
            )
        if info.compress_type not in _ZIP_METHODS:
            raise _invalid("File does not use a supported compression type")
        contents.names.add(name)
        total += info.file_size
    _check_ratio(total, size)
    return contents


def _check_ratio(total: int, size: int) -> None:
    if total > RATIO_THRESHOLD and total > MAX_RATIO * max(size, 1):
        raise _invalid(f"File exceeds compression ratio of {MAX_RATIO}")


def _check_tar(path: Path, size: int) -> ArchiveContents:
    from pypidesk.index.upload import tar_headers  # noqa: PLC0415 - only sdists need tarfile

    contents = ArchiveContents()
    top_dirs: set[str] = set()
    total = 0
    try:
        with tar_headers.open_bounded(path) as archive:
            while (member := archive.next()) is not None:
                name = member.name
                if _unsafe(name) or (
                    (member.issym() or member.islnk()) and _unsafe(member.linkname)
                ):
                    raise _invalid(
                        f"tar archive not accepted: Unsafe member name {name!r}. {ARCHIVES_HELP}"
                    )
                total += TAR_HEADER_SIZE + member.size
                _check_ratio(total, size)
                contents.names.add(name.rstrip("/"))
                top_dirs.add(PurePosixPath(name).parts[0] if name.strip("/") else "")
    except tar_headers.HeaderRefused as exc:
        raise _invalid(f"tar archive not accepted: {exc} {ARCHIVES_HELP}") from None
    except (tar_headers.TarError, OSError, EOFError, ValueError, RecursionError):
        raise _invalid("File is not a tarfile") from None
    if len(top_dirs) != 1:
        raise _invalid("Incorrect number of top-level directories in sdist")
    contents.top_dir = top_dirs.pop()
    pkg_info = f"{contents.top_dir}/PKG-INFO"
    if pkg_info not in contents.names:
        raise _invalid(f"PKG-INFO not found at {pkg_info}")
    return contents


def dist_info_dir(filename: str) -> str:
    """``<name>-<version>.dist-info`` as spelled in the wheel's filename."""
    name, _, rest = filename.partition("-")
    return f"{name}-{rest.partition('-')[0]}.dist-info"


def check_wheel_members(contents: ArchiveContents, filename: str) -> None:
    """Upload check 22's WHEEL check: the wheel must carry ``<dist-info>/WHEEL``."""
    wheel = f"{dist_info_dir(filename)}/WHEEL"
    if wheel not in contents.names:
        raise _invalid(f"WHEEL not found at {wheel}")


def check_license_files(
    contents: ArchiveContents, filename: str, license_files: list[str], *, wheel: bool
) -> None:
    """Every ``License-File`` must be inside the distribution."""
    base = f"{dist_info_dir(filename)}/licenses" if wheel else contents.top_dir
    for license_file in license_files:
        where = f"{base}/{license_file}"
        if where not in contents.names:
            raise bad_request(
                f"License-File {license_file} does not exist in distribution file "
                f"{filename} at {where}"
            )


def read_wheel_metadata(contents: ArchiveContents, filename: str) -> bytes:
    """Upload check 24: RECORD, readable entry points and METADATA present; returns METADATA."""
    dist_info = dist_info_dir(filename)
    record = f"{dist_info}/RECORD"
    if record not in contents.names:
        raise bad_request(
            f"Wheel {filename!r} does not contain the required RECORD file: {record}"
        )
    entry_points = f"{dist_info}/entry_points.txt"
    if entry_points in contents.names:
        parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
        try:
            text = contents.read_ahead.get(entry_points)
            if text is None:
                raise ValueError(entry_points)  # unreadable or oversized
            parser.read_string(text.decode("utf-8"))
        except (configparser.Error, ValueError):
            raise bad_request(
                f"Wheel {filename!r} has invalid entry points defined in the entry_points.txt file"
            ) from None
    metadata_name = f"{dist_info}/METADATA"
    if metadata_name not in contents.names:
        raise bad_request(
            f"Wheel {filename!r} does not contain the required METADATA file: {metadata_name}"
        )
    if contents.sizes[metadata_name] > MAX_METADATA_SIZE:
        raise _invalid("METADATA is too large")
    metadata = contents.read_ahead.get(metadata_name)
    if metadata is None:
        raise _invalid(
            f"ZIP archive not accepted: {metadata_name} does not match the size and "
            f"checksum its entry records. {ARCHIVES_HELP}"
        )
    return metadata
