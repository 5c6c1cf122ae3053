"""Content-addressed file storage, written so that a crash never shows a partial file.

An upload is streamed into an anonymous file (``O_TMPFILE``) in the store's own
``.tmp`` directory while its md5, sha256 and blake2b-256 are computed. Before
the database row is committed the file gets a *pending* name
(``.tmp/<blake2>.<kind>.<random>``); only after the commit is it renamed to its
final path. Every incoming file is held with an exclusive ``flock`` from the
moment it exists, so :meth:`LocalFileStorage.sweep` (run at start-up) can tell
files of live uploads (locked) from those of a crashed process (unlocked): a
pending file whose row was committed is moved into place, anything else is
removed. Where ``O_TMPFILE`` is missing, the file is created under a random
name and locked at once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import secrets
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

TMP_DIR_NAME = ".tmp"
# Large uploads are written back to disk in the background every this many
# bytes, so the fsync before the commit only has the tail left to flush.
WRITEBACK_EVERY = 16 * 1024 * 1024
_writeback = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pypidesk-writeback")
# Syncs of files a publish adopts: run side by side, they share journal commits.
_adopted_syncs = ThreadPoolExecutor(max_workers=8, thread_name_prefix="pypidesk-adopted-sync")
# Anonymous scratch files kept open ahead of need. Creating an inode can cost
# 0.3-0.7 ms of kernel time on ext4 (for minutes after mass deletions), twice
# per upload (the file, its metadata); each upload's background job makes the
# next ones while the upload is checked, off its path.
SPARE_FILES = 2
FILE_KIND = "file"
METADATA_KIND = "metadata"
METADATA_SUFFIX = ".metadata"
# Reads of an adopted file, for its digests.
ADOPT_CHUNK = 1024 * 1024


def storage_path(blake2_256: str, filename: str) -> str:
    """PyPI's layout: ``<b2[:2]>/<b2[2:4]>/<b2[4:]>/<filename>``."""
    return f"{blake2_256[:2]}/{blake2_256[2:4]}/{blake2_256[4:]}/{filename}"


@dataclass(frozen=True, slots=True)
class Digests:
    md5: str
    sha256: str
    blake2_256: str


class ArrivedFile(Protocol):
    """A file whose bytes are all there: checked, then committed or discarded."""

    size: int
    too_large: bool

    def finish(self) -> Digests: ...

    def read_path(self) -> Path: ...

    def add_metadata(self, data: bytes) -> None: ...

    def stage(self) -> None: ...

    def commit(self, path: str) -> None: ...

    def discard(self) -> None: ...


class IncomingFile(ArrivedFile, Protocol):
    """A file being received: written chunk by chunk, then committed or discarded."""

    # A memoryview too: the multipart parser hands out slices of its chunk uncopied.
    def write(self, data: bytes | memoryview) -> None: ...

    def sync_in_background(self) -> None: ...


class FileStorage(Protocol):
    """Where distribution files live; an object store can implement this later."""

    def incoming(self, limit: int) -> IncomingFile: ...

    def exists(self, path: str) -> bool: ...

    def sweep(self, committed_path: Callable[[str], str | None]) -> None: ...

    def adopt(self, source: Path, metadata: Path | None = None) -> ArrivedFile: ...


class _LocalIncoming:
    """One upload on its way into a :class:`LocalFileStorage`."""

    def __init__(self, storage: LocalFileStorage, limit: int) -> None:
        self._storage = storage
        self._limit = limit
        self.size = 0
        self.too_large = False
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self._blake2 = hashlib.blake2b(digest_size=32)
        self._file, self._named = storage.open_locked()
        self._digests: Digests | None = None
        self._metadata: bytes | None = None
        self._staged: list[tuple[str, str]] = []
        self._unsynced = 0
        self._syncing: Future[None] | None = None
        # Whether a background fdatasync has finished; with nothing written
        # since (``_unsynced == 0``), staging need not sync again.
        self._synced_once = False
        # The final directory, made in the background once the body is in:
        # (its path, the directories that call created).
        self._directory: Future[tuple[str, list[str]]] | None = None

    def write(self, data: bytes | memoryview) -> None:
        """Append ``data``; past the limit, stop storing and only count (upload check 16)."""
        self.size += len(data)
        if self.too_large:
            return
        if self.size > self._limit:
            self.too_large = True
            self._file.truncate(0)
            return
        self._file.write(data)
        self._md5.update(data)
        self._sha256.update(data)
        self._blake2.update(data)
        self._unsynced += len(data)
        if self._unsynced >= WRITEBACK_EVERY and (self._syncing is None or self._syncing.done()):
            self._file.flush()
            self._unsynced = 0
            self._syncing = _writeback.submit(os.fdatasync, self._file.fileno())

    def sync_in_background(self) -> None:
        """Start the disk work of the upload's end while the upload is checked.

        Called once the body is complete. One background job flushes the
        file, makes its final directory and the next uploads' scratch files;
        :meth:`stage` and :meth:`commit` then only wait for their part. One
        job rather than one per task: each hand-off between threads costs
        context switches, about thirty per upload with four jobs.
        """
        if self.too_large or self._directory is not None:
            return
        self._file.flush()
        self._unsynced = 0
        synced: Future[None] = Future()
        directory: Future[tuple[str, list[str]]] = Future()
        _writeback.submit(
            _finish_in_background,
            self._storage,
            self._file.fileno(),
            self._blake2.hexdigest(),
            writeback=self._syncing,
            synced=synced,
            directory=directory,
        )
        self._syncing, self._directory = synced, directory

    def finish(self) -> Digests:
        """Flush the data to disk and return its digests."""
        if self._digests is None:
            self._file.flush()
            self._digests = Digests(
                self._md5.hexdigest(), self._sha256.hexdigest(), self._blake2.hexdigest()
            )
        return self._digests

    def read_path(self) -> Path:
        """A path the received bytes can be read from (for archive checks)."""
        self._file.flush()
        return Path(f"/proc/self/fd/{self._file.fileno()}")

    def add_metadata(self, data: bytes) -> None:
        """The wheel's METADATA, stored beside the file as ``<path>.metadata``."""
        self._metadata = data

    def stage(self) -> None:
        """Give the file (and its metadata) pending names, before the row is committed.

        The file's data is made durable here (``fdatasync``) so that a row
        never points at unwritten bytes. From now on a process crash is
        recoverable: :meth:`LocalFileStorage.sweep` moves a pending file into
        place if its row exists. Names and the metadata file are not synced
        one by one (each sync costs milliseconds per upload here): on ext4 the
        next journal commit, at the latest the database's own WAL sync, makes
        them durable before any later row; the metadata can be re-extracted
        from the wheel should a power failure lose it.
        """
        digests = self.finish()
        self._wait_for_writeback()
        if self._unsynced or not self._synced_once:
            os.fdatasync(self._file.fileno())
        pending = self._storage.link_pending(self._file, self._named, digests, FILE_KIND)
        self._named = None
        self._staged.append((pending, ""))
        if self._metadata is not None:
            pending = self._storage.stage_metadata(self._metadata, digests)
            self._staged.append((pending, METADATA_SUFFIX))

    def commit(self, path: str) -> None:
        """Move the staged files to ``path`` once their row is committed."""
        prepared, created = self._prepared_directory()
        if prepared != os.path.dirname(f"{self._storage._root}/{path}"):
            _remove_directories(created)
        self._storage.place_all(self._staged, path)
        self._staged.clear()
        self._close()

    def discard(self) -> None:
        """Forget the upload: nothing it wrote stays behind, not even a directory."""
        for pending, _suffix in self._staged:
            _unlink(pending)
        self._staged.clear()
        if self._named is not None:
            _unlink(self._named)
            self._named = None
        _remove_directories(self._prepared_directory()[1])
        self._close()

    def _prepared_directory(self) -> tuple[str, list[str]]:
        """The directory made in the background, and what it created; once only."""
        future, self._directory = self._directory, None
        if future is None:
            return "", []
        return _made(future)

    def _wait_for_writeback(self) -> None:
        syncing, self._syncing = self._syncing, None
        if syncing is not None:
            syncing.result()
            self._synced_once = True

    def _close(self) -> None:
        # A failed flush matters to stage(), which reports it; closing and
        # discarding go on regardless, so that nothing is left behind.
        with contextlib.suppress(OSError):
            self._wait_for_writeback()
        if not self._file.closed:
            self._file.close()


class _AdoptedFile:
    """A durable file on the store's filesystem, taken in by a hard link rather than a copy.

    A PEP 694 publish takes the staged files so: nothing is copied, and the
    sync before the commit is quick for files written back since they were
    received, as staged files are; the link's name, like an upload's
    pending name, is left to the filesystem's journal (:meth:`_LocalIncoming.stage`).
    """

    too_large = False

    def __init__(self, storage: LocalFileStorage, source: Path, metadata: Path | None) -> None:
        self._storage = storage
        self._source = source
        self._metadata_source = metadata
        self._file = source.open("rb")
        # Locked as every incoming file is: the sweep leaves a live publish's names alone.
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
        hashers = (
            hashlib.md5(usedforsecurity=False),
            hashlib.sha256(),
            hashlib.blake2b(digest_size=32),
        )
        self.size = 0
        while chunk := self._file.read(ADOPT_CHUNK):
            self.size += len(chunk)
            for hasher in hashers:
                hasher.update(chunk)
        digests = Digests(*(hasher.hexdigest() for hasher in hashers))
        self._digests = digests
        self._metadata: bytes | None = None
        self._staged: list[tuple[str, str]] = []
        # Its final directory, made meanwhile (mkdir costs a publish of many files most),
        # and its data synced meanwhile, many files at once (the journal commits them together).
        self._directory = _writeback.submit(storage.make_directory, digests.blake2_256)
        self._synced = _adopted_syncs.submit(os.fdatasync, self._file.fileno())

    def finish(self) -> Digests:
        return self._digests

    def read_path(self) -> Path:
        return self._source

    def add_metadata(self, data: bytes) -> None:
        self._metadata = data

    def stage(self) -> None:
        """Sync the data; a pending name for the file (a second link), and its metadata's."""
        self._synced.result()
        pending = self._storage.pending_name(self._digests, FILE_KIND)
        os.link(self._source, pending)
        self._staged.append((pending, ""))
        if self._metadata is None:
            return
        if self._metadata_source is None:
            pending = self._storage.stage_metadata(self._metadata, self._digests)
        else:
            pending = self._storage.pending_name(self._digests, METADATA_KIND)
            os.link(self._metadata_source, pending)
        self._staged.append((pending, METADATA_SUFFIX))

    def commit(self, path: str) -> None:
        prepared, created = _made(self._directory)
        if prepared != os.path.dirname(f"{self._storage._root}/{path}"):
            _remove_directories(created)
        self._storage.place_all(self._staged, path)
        self._staged.clear()
        self._file.close()

    def discard(self) -> None:
        """Remove the pending names and new directories; the source stays where it was."""
        for pending, _suffix in self._staged:
            _unlink(pending)
        self._staged.clear()
        _remove_directories(_made(self._directory)[1])
        wait([self._synced])  # before its descriptor closes
        self._file.close()


class LocalFileStorage:
    """Files under one directory, PyPI's content-addressed layout."""

    def __init__(self, root: Path, *, use_tmpfile: bool = True) -> None:
        self.root = root
        self.tmp_dir = root / TMP_DIR_NAME
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self._use_tmpfile = use_tmpfile and hasattr(os, "O_TMPFILE")
        self._dir_fd: int | None = None
        self._spares: deque[BinaryIO] = deque()
        self._spares_closer = weakref.finalize(self, _close_all, self._spares)
        self._refilling = threading.Lock()
        # Plain strings on the upload path: pathlib interns every component
        # of every path it parses, and a content-addressed name is unique.
        self._root = str(root)
        self._tmp = str(self.tmp_dir)

    def _tmp_dir_fd(self) -> int:
        """A descriptor of the scratch directory, opened once for every ``linkat``."""
        if self._dir_fd is None:
            self._dir_fd = os.open(self.tmp_dir, os.O_RDONLY | os.O_DIRECTORY)
            self._dir_fd_closer = weakref.finalize(self, os.close, self._dir_fd)
        return self._dir_fd

    def incoming(self, limit: int) -> _LocalIncoming:
        return _LocalIncoming(self, limit)

    def exists(self, path: str) -> bool:
        return (self.root / path).is_file()

    def adopt(self, source: Path, metadata: Path | None = None) -> _AdoptedFile:
        """Take in ``source``, a durable file on the store's filesystem, without copying it.

        ``metadata``: a file holding the metadata the checks will add, linked
        rather than written again.
        """
        return _AdoptedFile(self, source, metadata)

    def open_locked(self) -> tuple[BinaryIO, str | None]:
        """A new, exclusively locked scratch file, and its name if it has one.

        With ``O_TMPFILE`` the file has no name until :meth:`link_pending`; the
        fallback names it ``upload.<random>`` and locks it at once (a sweep
        racing that instant could take it, so ``O_TMPFILE`` is preferred).
        """
        if self._use_tmpfile:
            handle: BinaryIO | None
            try:
                handle = self._spares.popleft()
            except IndexError:
                handle = self._new_tmpfile()
            if handle is not None:
                return handle, None
        named = f"{self._tmp}/upload.{secrets.token_hex(8)}"
        fd = os.open(named, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return os.fdopen(fd, "w+b"), named

    def _new_tmpfile(self) -> BinaryIO | None:
        """A locked anonymous file in the scratch directory; None where unsupported."""
        try:
            fd = os.open(self._tmp, os.O_TMPFILE | os.O_RDWR, 0o644)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
            self._use_tmpfile = False
            return None
        fcntl.flock(fd, fcntl.LOCK_EX)
        return os.fdopen(fd, "w+b")

    def refill_spares(self) -> None:
        """Runs in the background; a failure here is met again, and reported, on use."""
        if not self._refilling.acquire(blocking=False):
            return  # another upload's job is at it
        try:
            while len(self._spares) < SPARE_FILES:
                handle = self._new_tmpfile()
                if handle is None:
                    return
                self._spares.append(handle)
        except OSError:
            return
        finally:
            self._refilling.release()

    def make_directory(self, blake2_256: str) -> tuple[str, list[str]]:
        """Make the final directory of a file with this digest; returns it and what was new.

        What was new is removed again should the upload be refused, so a
        refused upload leaves no empty directory behind.
        """
        first = f"{self._root}/{blake2_256[:2]}"
        second = f"{first}/{blake2_256[2:4]}"
        leaf = f"{second}/{blake2_256[4:]}"
        try:
            os.mkdir(leaf)
        except FileExistsError:
            return leaf, []
        except FileNotFoundError:
            pass
        else:
            return leaf, [leaf]
        created = []
        for directory in (first, second, leaf):
            try:
                os.mkdir(directory)
            except FileExistsError:
                continue
            created.append(directory)
        return leaf, created

    def link_pending(
        self, handle: BinaryIO, named: str | None, digests: Digests, kind: str
    ) -> str:
        """Name a locked scratch file ``.tmp/<blake2>.<kind>.<random>``."""
        pending = self.pending_name(digests, kind)
        if named is not None:
            os.rename(named, pending)
        else:
            # CPython calls plain link(2), which does not follow the /proc
            # symlink, unless a dir fd is given; linkat(2) ignores it for an
            # absolute path but then honours AT_SYMLINK_FOLLOW.
            os.link(
                f"/proc/self/fd/{handle.fileno()}",
                pending,
                src_dir_fd=self._tmp_dir_fd(),
                follow_symlinks=True,
            )
        return pending

    def pending_name(self, digests: Digests, kind: str) -> str:
        """A new pending name, ``.tmp/<blake2>.<kind>.<random>``, for the sweep to read."""
        return f"{self._tmp}/{digests.blake2_256}.{kind}.{secrets.token_hex(8)}"

    def stage_metadata(self, data: bytes, digests: Digests) -> str:
        """Write a file's metadata to a pending name (not synced: it can be re-extracted)."""
        meta, named = self.open_locked()
        with meta:
            meta.write(data)
            meta.flush()
            return self.link_pending(meta, named, digests, METADATA_KIND)

    def place(self, pending: Path, path: str) -> None:
        """Rename ``pending`` to its final ``path``."""
        self.place_all([(str(pending), "")], path)

    def place_all(self, staged: list[tuple[str, str]], path: str) -> None:
        """Rename each staged ``(pending, suffix)`` to ``path + suffix``.

        An upload has made the directory already (:meth:`make_directory`);
        it is made here when it is missing: for the sweep, or when a refused
        upload of the same bytes removed it in between. The directory is not
        fsynced: should the rename be lost in a power failure, the file is
        still at its durable pending name and the sweep places it again.
        """
        final = f"{self._root}/{path}"
        for pending, suffix in staged:
            try:
                os.rename(pending, final + suffix)
            except FileNotFoundError:
                os.makedirs(os.path.dirname(final), exist_ok=True)
                os.rename(pending, final + suffix)

    def sweep(self, committed_path: Callable[[str], str | None]) -> None:
        """Clean up after a crash: finish committed uploads, remove everything else.

        ``committed_path(blake2)`` returns the stored path of the file row with
        that digest, or None when no such row was committed.
        """
        for entry in sorted(self.tmp_dir.iterdir()):
            with _unless_locked(entry) as free:
                if not free:
                    continue
                blake2, _, rest = entry.name.partition(".")
                kind = rest.partition(".")[0]
                path = committed_path(blake2) if kind in (FILE_KIND, METADATA_KIND) else None
                if path is None:
                    entry.unlink(missing_ok=True)
                    continue
                suffix = METADATA_SUFFIX if kind == METADATA_KIND else ""
                if self.exists(path + suffix):
                    entry.unlink(missing_ok=True)
                else:
                    self.place(entry, path + suffix)


def _finish_in_background(
    storage: LocalFileStorage,
    fileno: int,
    blake2_256: str,
    *,
    writeback: Future[None] | None,
    synced: Future[None],
    directory: Future[tuple[str, list[str]]],
) -> None:
    """The disk work of an upload's end, in the order it is waited for."""
    try:
        if writeback is not None:
            writeback.result()
        os.fdatasync(fileno)
    except OSError as exc:
        synced.set_exception(exc)
    else:
        synced.set_result(None)
    try:
        directory.set_result(storage.make_directory(blake2_256))
    except OSError as exc:
        directory.set_exception(exc)
    storage.refill_spares()


def _made(directory: Future[tuple[str, list[str]]]) -> tuple[str, list[str]]:
    """The directory made in the background, and what it created."""
    try:
        return directory.result()
    except OSError:
        # A concurrent discard removed a parent on the way: placing makes it.
        return "", []


def _remove_directories(created: list[str]) -> None:
    """Remove directories an upload made, deepest first, if they are still empty."""
    for directory in reversed(created):
        try:
            os.rmdir(directory)
        except OSError:
            # Not empty (another file arrived) or already gone: both are fine.
            return


def _close_all(handles: deque[BinaryIO]) -> None:
    while handles:
        handles.popleft().close()


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


@contextlib.contextmanager
def _unless_locked(entry: Path) -> Iterator[bool]:
    """Yield True while holding ``entry``'s lock, False if a live upload holds it."""
    try:
        fd = os.open(entry, os.O_RDONLY)
    except FileNotFoundError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        os.close(fd)
