"""One distribution file as an index sees it: name, version, kind, size and digests.

Read with twine's own package handling (:class:`twine.package.PackageFile`), so
what the app checks and sends is what ``twine upload`` would check and send.
"""

from __future__ import annotations

import dataclasses
import tarfile
import zipfile
from pathlib import Path

from twine.exceptions import InvalidDistribution
from twine.package import PackageFile
from twine.repository import Repository

from pypidesk.publish.errors import InvalidDistError


@dataclasses.dataclass(frozen=True, slots=True)
class DistInfo:
    """What the Check step lists and the Promote dialog repeats, hashes included."""

    path: Path
    name: str
    version: str
    #: twine's ``filetype``: "bdist_wheel" or "sdist".
    filetype: str
    size: int
    sha256: str
    #: The upload form's fields as twine builds them (metadata and digests), read once.
    fields: tuple[tuple[str, str], ...] = ()
    #: When the file was read: an upload re-reads it only if this changed.
    mtime_ns: int = 0

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def kind(self) -> str:
        return "wheel" if self.filetype == "bdist_wheel" else "sdist"


def package_file(path: Path) -> PackageFile:
    """twine's reading of ``path``; InvalidDistError where twine refuses it."""
    try:
        return PackageFile.from_filename(str(path), comment=None)
    except InvalidDistribution as exc:
        raise InvalidDistError(path.name, str(exc)) from exc
    except (OSError, ValueError, zipfile.BadZipFile, tarfile.TarError) as exc:  # not an archive
        raise InvalidDistError(path.name, str(exc) or type(exc).__name__) from exc


def inspect(path: Path) -> DistInfo:
    """Blocking (reads the whole file): callers on a GUI loop run it in a thread."""
    stat = path.stat()
    package = package_file(path)
    return DistInfo(
        path=path,
        name=str(package.metadata["name"]),
        version=package.version,
        filetype=package.filetype,
        size=stat.st_size,
        sha256=str(package.sha2_digest),
        fields=tuple(form_fields(package)),
        mtime_ns=stat.st_mtime_ns,
    )


def form_fields(package: PackageFile) -> list[tuple[str, str]]:
    """The upload form's fields for ``package``, exactly as twine builds them."""
    # twine's own conversion of its metadata to form fields (``Repository._upload``).
    metadata = package.metadata_dictionary()
    fields = Repository._convert_metadata_to_list_of_tuples(metadata)
    return [*fields, (":action", "file_upload"), ("protocol_version", "1")]
