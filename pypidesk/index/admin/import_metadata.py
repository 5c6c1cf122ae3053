"""The upload form twine would send for a distribution file, read from the file itself.

``pypidesk admin import`` has only the files; the upload checks want the
form. twine builds it from the file's own core metadata (a wheel's
``METADATA``, an sdist's ``PKG-INFO``), and so does this: the checks then
judge the same metadata a ``twine upload`` of the file would have sent.
"""

from __future__ import annotations

import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from packaging.metadata import parse_email

from pypidesk.index.upload.archives import MAX_METADATA_SIZE, dist_info_dir
from pypidesk.index.upload.metadata import form_from_raw


class MetadataUnreadable(Exception):  # noqa: N818 - reads as the reason in the summary
    """The file's core metadata cannot be found or read; the file is refused."""


def upload_fields(path: Path, filename: str) -> dict[str, list[str]]:
    """The form fields of an upload of the file at ``path`` (named ``filename``)."""
    if filename.endswith(".whl"):
        text = _from_zip(path, lambda _names: f"{dist_info_dir(filename)}/METADATA")
        # twine sends the wheel's Python tag as pyversion.
        filetype, pyversion = "bdist_wheel", filename.rsplit("-", 3)[-3]
    elif filename.endswith(".tar.gz"):
        text = _from_tar(path)
        filetype, pyversion = "sdist", "source"
    elif filename.endswith(".zip"):
        text = _from_zip(path, _pkg_info)
        filetype, pyversion = "sdist", "source"
    else:
        raise MetadataUnreadable("not a wheel or an sdist (.whl, .tar.gz or .zip)")
    raw, _unparsed = parse_email(text)
    fields = form_from_raw(raw)
    fields.update(
        {
            ":action": ["file_upload"],
            "protocol_version": ["1"],
            "filetype": [filetype],
            "pyversion": [pyversion],
        }
    )
    return fields


def _pkg_info(names: list[str]) -> str:
    """``<top>/PKG-INFO`` of an sdist: the shortest such member."""
    candidates = sorted(
        (name for name in names if name.count("/") == 1 and name.endswith("/PKG-INFO")),
        key=len,
    )
    if not candidates:
        raise MetadataUnreadable("no PKG-INFO in the sdist")
    return candidates[0]


def _from_zip(path: Path, member: Callable[[list[str]], str]) -> bytes:
    try:
        with zipfile.ZipFile(path) as archive:
            name = member(archive.namelist())
            try:
                info = archive.getinfo(name)
            except KeyError:
                raise MetadataUnreadable(f"no {name} in the file") from None
            if info.file_size > MAX_METADATA_SIZE:
                raise MetadataUnreadable(f"{name} is too large")
            return archive.read(info)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise MetadataUnreadable(f"not a readable zip archive ({exc})") from None


def _from_tar(path: Path) -> bytes:
    try:
        with tarfile.open(path, "r:gz") as archive:
            name = _pkg_info(archive.getnames())
            member = archive.getmember(name)
            handle = archive.extractfile(member) if member.size <= MAX_METADATA_SIZE else None
            if handle is None:
                raise MetadataUnreadable(f"{name} is not a readable file")
            return handle.read()
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise MetadataUnreadable(f"not a readable tar.gz archive ({exc})") from None
