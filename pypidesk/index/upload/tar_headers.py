"""Reading an sdist's tar headers without letting a header decide how much is read.

tarfile reads a pax extended header, a GNU long name and a GNU long link in
one piece, at the size their header declares: a 1 MB sdist declaring a
1000 MiB pax header made the server allocate over 1 GiB (issue 12). It
follows GNU sparse maps block after block for as long as each says another
follows (or, for a pax header's sparse map, number after number for as long
as the first number says), nests one call per extended header in front of a
member, and walks back to the same header forever when a member declares a
negative size.

tarfile's documented hook for header types, ``TarInfo._proc_member``, is
where each header is handled before anything it declares is read; the
subclass here refuses those cases there, with a reason. Member data is never
read: tarfile skips it by seeking the gzip stream, which decompresses in
small blocks.
"""

from __future__ import annotations

import tarfile
from pathlib import Path
from tarfile import TarError
from typing import Self

__all__ = ["SPARSE_REFUSED", "HeaderRefused", "TarError", "open_bounded"]

# Real pax headers and long names hold a few paths and numbers.
MAX_EXTENDED_HEADER = 256 * 1024
# Extended headers in front of one member: pax (local and global), long name, long link.
MAX_EXTENDED_CHAIN = 4
SPARSE_REFUSED = "Sparse members are not allowed."
_EXTENDED = frozenset(
    {
        tarfile.XHDTYPE,
        tarfile.XGLTYPE,
        tarfile.SOLARIS_XHDTYPE,
        tarfile.GNUTYPE_LONGNAME,
        tarfile.GNUTYPE_LONGLINK,
    }
)


class HeaderRefused(Exception):  # noqa: N818 - a refusal with its reason, not a bug
    """A header asks for more than the server reads; the text says what, for the client."""


class _BoundedTarInfo(tarfile.TarInfo):
    def _proc_member(self, archive: tarfile.TarFile) -> Self:
        if self.size < 0:
            raise HeaderRefused(f"Member {self.name!r} declares a negative size.")
        if self.type == tarfile.GNUTYPE_SPARSE:
            raise HeaderRefused(SPARSE_REFUSED)
        if self.type not in _EXTENDED:
            return super()._proc_member(archive)  # type: ignore[misc, no-any-return]
        if self.size > MAX_EXTENDED_HEADER:
            raise HeaderRefused(
                f"An extended header of {self.size} bytes is larger than the "
                f"{MAX_EXTENDED_HEADER // 1024} KiB allowed."
            )
        assert isinstance(archive, _BoundedTarFile)
        if archive.extended_depth >= MAX_EXTENDED_CHAIN:
            raise HeaderRefused(
                f"More than {MAX_EXTENDED_CHAIN} extended headers precede one member."
            )
        archive.extended_depth += 1
        try:
            return super()._proc_member(archive)  # type: ignore[misc, no-any-return]
        finally:
            archive.extended_depth -= 1

    # A pax header's sparse map (formats 0.0, 0.1 and 1.0): tarfile reads
    # version 1.0's from the member's data, a block at a time for as long as
    # the count it starts with says. Sparse members are refused anyway.
    def _proc_gnusparse_00(self, *_args: object) -> None:
        raise HeaderRefused(SPARSE_REFUSED)

    _proc_gnusparse_01 = _proc_gnusparse_10 = _proc_gnusparse_00


class _BoundedTarFile(tarfile.TarFile):
    tarinfo = _BoundedTarInfo
    # Extended headers being processed in front of the current member.
    extended_depth = 0
    # Every member read so far (not in typeshed's stub).
    members: list[tarfile.TarInfo]

    def next(self) -> tarfile.TarInfo | None:
        """The next member; tarfile's list of those read before is emptied (names suffice)."""
        member = super().next()
        self.members.clear()
        return member


def open_bounded(path: Path) -> tarfile.TarFile:
    """``path`` opened as a gzipped tar whose headers are read within the bounds above.

    Raises :class:`HeaderRefused` (from opening or iterating) for a header
    out of bounds, and tarfile's, gzip's and OS errors for a broken file.
    """
    return _BoundedTarFile.open(path, "r:gz")
