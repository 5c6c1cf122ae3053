"""The file store: streamed writes, digests, limits, staging, and the crash sweep."""

from __future__ import annotations

import errno
import gc
import hashlib
import os
import time
from pathlib import Path

import pytest

from pypidesk.index.storage import (
    SPARE_FILES,
    TMP_DIR_NAME,
    LocalFileStorage,
    storage_path,
)

DATA = b"some distribution bytes" * 100


def digests_of(data: bytes) -> tuple[str, str, str]:
    return (
        hashlib.md5(data, usedforsecurity=False).hexdigest(),
        hashlib.sha256(data).hexdigest(),
        hashlib.blake2b(data, digest_size=32).hexdigest(),
    )


@pytest.fixture(params=[True, False], ids=["o_tmpfile", "named"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "packages", use_tmpfile=request.param)


def test_write_stage_commit(storage: LocalFileStorage) -> None:
    incoming = storage.incoming(10**6)
    incoming.write(DATA[:100])
    incoming.write(memoryview(DATA)[100:])
    digests = incoming.finish()
    assert (digests.md5, digests.sha256, digests.blake2_256) == digests_of(DATA)
    assert incoming.finish() is digests
    assert incoming.read_path().read_bytes() == DATA
    incoming.add_metadata(b"Metadata-Version: 2.4\n")
    incoming.stage()
    assert len(list(storage.tmp_dir.iterdir())) == 2
    path = storage_path(digests.blake2_256, "x-1.0-py3-none-any.whl")
    assert not storage.exists(path)
    incoming.commit(path)
    assert (storage.root / path).read_bytes() == DATA
    assert (storage.root / (path + ".metadata")).read_bytes() == b"Metadata-Version: 2.4\n"
    assert list(storage.tmp_dir.iterdir()) == []
    incoming.discard()  # after commit: nothing left to discard


def test_discard_before_and_after_staging(storage: LocalFileStorage) -> None:
    unstaged = storage.incoming(10**6)
    unstaged.write(DATA)
    unstaged.discard()
    staged = storage.incoming(10**6)
    staged.write(DATA)
    staged.stage()
    staged.discard()
    assert list(storage.tmp_dir.iterdir()) == []
    assert [p for p in storage.root.rglob("*") if p.is_file()] == []


def test_limit_stops_storing(storage: LocalFileStorage) -> None:
    incoming = storage.incoming(10)
    incoming.write(b"12345")
    incoming.write(b"678901")
    incoming.write(b"more")
    assert incoming.too_large
    assert incoming.size == 15
    assert incoming.read_path().stat().st_size == 0
    incoming.discard()


def test_sweep_recovers_committed_and_removes_the_rest(storage: LocalFileStorage) -> None:
    committed = storage.incoming(10**6)
    committed.write(DATA)
    committed.add_metadata(b"meta")
    committed.stage()
    orphan = storage.incoming(10**6)
    orphan.write(b"other")
    orphan.stage()
    b2 = committed.finish().blake2_256
    path = storage_path(b2, "x.whl")
    (storage.tmp_dir / "junk").write_bytes(b"x")
    live = storage.incoming(10**6)  # a live upload holds its lock
    live.write(b"in progress")
    # Simulate the crash: the process lets go of its files without cleaning up.
    for incoming in (committed, orphan):
        incoming._close()
    storage.sweep(lambda blake2: path if blake2 == b2 else None)
    assert (storage.root / path).read_bytes() == DATA
    assert (storage.root / (path + ".metadata")).read_bytes() == b"meta"
    remaining = list(storage.tmp_dir.iterdir())
    if live._named is None:
        assert remaining == []
    else:
        assert remaining == [Path(live._named)]
    live.discard()


def test_sweep_drops_pending_copy_when_file_is_in_place(storage: LocalFileStorage) -> None:
    first = storage.incoming(10**6)
    first.write(DATA)
    first.stage()
    b2 = first.finish().blake2_256
    path = storage_path(b2, "x.whl")
    (storage.root / path).parent.mkdir(parents=True)
    (storage.root / path).write_bytes(DATA)
    first._close()
    storage.sweep(lambda blake2: path)
    assert list(storage.tmp_dir.iterdir()) == []


def test_sweep_skips_vanished_entries(
    storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghost = storage.tmp_dir / "ghost"
    ghost.write_bytes(b"")
    real_open = os.open

    def vanishing_open(path, *args, **kwargs):
        if Path(path) == ghost:
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", vanishing_open)
    storage.sweep(lambda blake2: None)
    monkeypatch.undo()
    assert ghost.exists()


def test_large_files_are_written_back_while_streaming(
    storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypidesk.index import storage as storage_module

    monkeypatch.setattr(storage_module, "WRITEBACK_EVERY", 1000)
    synced: list[int] = []
    real = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: (synced.append(fd), real(fd))[1])
    incoming = storage.incoming(10**6)
    for _ in range(10):
        incoming.write(b"x" * 600)
    incoming.sync_in_background()  # after the writeback still under way, if it is
    incoming.stage()
    assert len(synced) >= 2  # at least one background writeback plus the final one
    incoming.discard()
    unfinished = storage.incoming(10**6)
    unfinished.write(b"y" * 2000)
    unfinished.discard()  # waits for its writeback before closing


def _count_fdatasync(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real fdatasync calls (they still happen)."""
    calls: list[int] = []
    real = os.fdatasync

    def counted(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fdatasync", counted)
    return calls


def test_a_background_sync_is_not_repeated_at_staging(
    storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_fdatasync(monkeypatch)
    incoming = storage.incoming(10**6)
    incoming.write(DATA)
    incoming.sync_in_background()
    incoming.sync_in_background()  # already under way: not started twice
    incoming.stage()
    assert len(calls) == 1
    path = storage_path(incoming.finish().blake2_256, "x-1.0.tar.gz")
    incoming.commit(path)
    assert (storage.root / path).read_bytes() == DATA


def test_bytes_written_after_a_background_sync_are_synced_at_staging(
    storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_fdatasync(monkeypatch)
    incoming = storage.incoming(10**6)
    incoming.write(DATA)
    incoming.sync_in_background()
    incoming.write(DATA)
    incoming.stage()
    assert len(calls) == 2
    incoming.discard()


def test_no_background_sync_for_a_file_over_the_limit(
    storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_fdatasync(monkeypatch)
    incoming = storage.incoming(10)
    incoming.write(DATA)
    assert incoming.too_large
    incoming.sync_in_background()
    assert calls == []
    incoming.discard()


def test_placing_into_an_existing_directory(storage: LocalFileStorage) -> None:
    """Two files can share the last directory only by sharing a digest: the sweep's case."""
    first = storage.incoming(10**6)
    first.write(DATA)
    path = storage_path(first.finish().blake2_256, "x-1.0.tar.gz")
    first.stage()
    first.commit(path)
    again = storage.incoming(10**6)
    again.write(DATA)
    again.stage()
    again.commit(path.replace("x-1.0.tar.gz", "y-1.0.tar.gz"))
    assert (storage.root / path).parent.is_dir()
    assert sorted(p.name for p in (storage.root / path).parent.iterdir()) == [
        "x-1.0.tar.gz",
        "y-1.0.tar.gz",
    ]


def _store(storage: LocalFileStorage, data: bytes, filename: str) -> str:
    """Receive ``data`` the way an accepted upload does; its storage path."""
    incoming = storage.incoming(10**6)
    incoming.write(data)
    incoming.sync_in_background()
    path = storage_path(incoming.finish().blake2_256, filename)
    incoming.stage()
    incoming.commit(path)
    return path


def _directories(storage: LocalFileStorage) -> list[Path]:
    return sorted(p for p in storage.root.rglob("*") if p.is_dir() and TMP_DIR_NAME not in p.parts)


def test_the_final_directory_is_made_while_the_upload_is_checked(
    storage: LocalFileStorage,
) -> None:
    incoming = storage.incoming(10**6)
    incoming.write(DATA)
    incoming.sync_in_background()
    path = storage_path(incoming.finish().blake2_256, "x-1.0.tar.gz")
    incoming._wait_for_writeback()
    assert incoming._directory is not None
    leaf, created = incoming._directory.result()
    assert leaf == str((storage.root / path).parent)
    assert [Path(d) for d in created] == [
        (storage.root / path).parent.parent.parent,
        (storage.root / path).parent.parent,
        (storage.root / path).parent,
    ]
    incoming.stage()
    incoming.commit(path)
    assert (storage.root / path).read_bytes() == DATA


def test_a_refused_upload_leaves_no_directory(storage: LocalFileStorage) -> None:
    kept_path = _store(storage, b"kept", "k-1.0.tar.gz")
    before = _directories(storage)
    # Same first two levels as the kept file: only the new levels go again.
    refused = storage.incoming(10**6)
    refused.write(DATA)
    refused.sync_in_background()
    refused.stage()
    refused.discard()
    assert _directories(storage) == before
    assert [p for p in storage.root.rglob("*") if p.is_file()] == [storage.root / kept_path]


def test_a_directory_shared_with_a_stored_file_stays(storage: LocalFileStorage) -> None:
    path = _store(storage, DATA, "x-1.0.tar.gz")
    again = storage.incoming(10**6)
    again.write(DATA)
    again.sync_in_background()  # the directory exists: nothing is made
    again.discard()
    assert (storage.root / path).read_bytes() == DATA


def test_a_directory_made_for_other_bytes_is_taken_back(storage: LocalFileStorage) -> None:
    """Bytes after the background start change the digest: the early directory is wrong."""
    incoming = storage.incoming(10**6)
    incoming.write(DATA)
    incoming.sync_in_background()
    early = storage_path(hashlib.blake2b(DATA, digest_size=32).hexdigest(), "x")
    incoming.write(b"more")
    incoming.stage()
    path = storage_path(incoming.finish().blake2_256, "x-1.0.tar.gz")
    incoming.commit(path)
    assert (storage.root / path).read_bytes() == DATA + b"more"
    assert not (storage.root / early).parent.parent.exists()


def test_placing_makes_a_directory_removed_in_between(storage: LocalFileStorage) -> None:
    """A refused upload of the same bytes may remove the directory before the rename."""
    incoming = storage.incoming(10**6)
    incoming.write(DATA)
    incoming.sync_in_background()
    path = storage_path(incoming.finish().blake2_256, "x-1.0.tar.gz")
    incoming.stage()
    assert incoming._directory is not None
    leaf, _created = incoming._directory.result()
    Path(leaf).rmdir()
    incoming.commit(path)
    assert (storage.root / path).read_bytes() == DATA


def test_a_failed_background_directory_is_made_at_placing(
    storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def vanished_parent(blake2_256: str) -> tuple[str, list[str]]:
        raise FileNotFoundError(blake2_256)

    monkeypatch.setattr(storage, "make_directory", vanished_parent)
    refused = storage.incoming(10**6)
    refused.write(b"refused")
    refused.sync_in_background()
    refused.discard()
    incoming = storage.incoming(10**6)
    incoming.write(DATA)
    incoming.sync_in_background()
    path = storage_path(incoming.finish().blake2_256, "x-1.0.tar.gz")
    incoming.stage()
    incoming.commit(path)
    assert (storage.root / path).read_bytes() == DATA


def _refilled(storage: LocalFileStorage) -> None:
    """Waits for a background refill of the spare files to finish."""
    with storage._refilling:
        pass


def _spares_made(storage: LocalFileStorage) -> None:
    """Waits (boundedly) for an upload's background job to make the spare files."""
    deadline = time.monotonic() + 10
    while len(storage._spares) < SPARE_FILES and time.monotonic() < deadline:
        time.sleep(0.005)
    _refilled(storage)


def test_scratch_files_are_made_ahead_and_closed_with_the_storage(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "packages")
    first = storage.incoming(10**6)  # the first is made on the spot
    assert list(storage._spares) == []
    first.write(DATA)
    first.sync_in_background()
    _spares_made(storage)
    spares = list(storage._spares)
    assert len(spares) == SPARE_FILES
    second = storage.incoming(10**6)
    assert second._file is spares[0]
    assert list(storage._spares) == spares[1:]
    for incoming in (first, second):
        incoming.discard()
    held = list(storage._spares)
    del storage, first, second, incoming
    gc.collect()
    assert all(handle.closed for handle in held)


def test_one_refill_at_a_time(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "packages")
    with storage._refilling:  # another upload's job holds it
        storage.refill_spares()
    assert list(storage._spares) == []
    storage.refill_spares()
    assert len(storage._spares) == SPARE_FILES


def _refuse_tmpfile(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Make ``O_TMPFILE`` opens fail with ``code``, as a full disk or another filesystem would."""
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            raise OSError(code, os.strerror(code))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)


def test_a_failed_refill_is_met_again_on_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalFileStorage(tmp_path / "packages")
    _refuse_tmpfile(monkeypatch, errno.ENOSPC)
    storage.refill_spares()
    assert list(storage._spares) == []
    with pytest.raises(OSError, match="No space left"):
        storage.incoming(10**6)


def test_make_directory_reports_what_it_created(storage: LocalFileStorage) -> None:
    b2 = "ab" + "cd" + "e" * 60
    storage.root.joinpath("ab").mkdir()
    leaf, created = storage.make_directory(b2)
    assert created == [f"{storage.root}/ab/cd", leaf]
    assert storage.make_directory(b2) == (leaf, [])
    Path(leaf).rmdir()
    assert storage.make_directory(b2) == (leaf, [leaf])


def test_a_refused_twin_leaves_the_stored_file_in_place(storage: LocalFileStorage) -> None:
    """Two uploads of the same bytes: the first makes the directory and is then refused."""
    refused = storage.incoming(10**6)
    refused.write(DATA)
    refused.sync_in_background()
    refused.stage()
    refused._wait_for_writeback()
    assert refused._directory is not None
    refused._directory.result()
    path = _store(storage, DATA, "x-1.0.tar.gz")
    refused.discard()
    assert (storage.root / path).read_bytes() == DATA


def test_without_o_tmpfile_scratch_files_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filesystems without O_TMPFILE (some network ones) refuse it with EOPNOTSUPP."""
    _refuse_tmpfile(monkeypatch, errno.EOPNOTSUPP)
    storage = LocalFileStorage(tmp_path / "packages")
    incoming = storage.incoming(10**6)
    assert incoming._named is not None
    storage._use_tmpfile = True  # a refill racing the discovery stops quietly
    storage.refill_spares()
    assert list(storage._spares) == []
    incoming.write(DATA)
    path = storage_path(incoming.finish().blake2_256, "x-1.0.tar.gz")
    incoming.stage()
    incoming.commit(path)
    assert (storage.root / path).read_bytes() == DATA


def test_a_failed_flush_fails_staging_and_leaves_nothing(
    storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_disk(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fdatasync", broken_disk)
    incoming = storage.incoming(10**6)
    incoming.write(DATA)
    incoming.sync_in_background()
    with pytest.raises(OSError, match="Input/output error"):
        incoming.stage()
    incoming.discard()
    assert [p for p in storage.root.rglob("*") if p.is_file()] == []
    assert _directories(storage) == []
    unstaged = storage.incoming(10**6)
    unstaged.write(DATA)
    unstaged.sync_in_background()
    unstaged.discard()  # the failed flush does not stop the clean-up
    assert unstaged._file.closed


def test_an_adopted_file_is_linked_into_place_not_copied(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "packages")
    source = tmp_path / "staged"
    source.write_bytes(b"staged wheel")
    adopted = storage.adopt(source)
    digests = adopted.finish()
    assert digests.sha256 == hashlib.sha256(b"staged wheel").hexdigest()
    assert adopted.size == len(b"staged wheel")
    assert adopted.read_path() == source
    adopted.add_metadata(b"Metadata-Version: 2.4\n")
    adopted.stage()
    path = storage_path(digests.blake2_256, "spam-1.0-py3-none-any.whl")
    adopted.commit(path)
    final = storage.root / path
    assert final.samefile(source)  # the same inode: nothing was copied
    assert final.with_name(final.name + ".metadata").read_bytes() == b"Metadata-Version: 2.4\n"
    assert list(storage.tmp_dir.iterdir()) == []


def test_a_discarded_adoption_leaves_the_source_and_nothing_else(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "packages")
    source = tmp_path / "staged"
    source.write_bytes(b"refused at publish")
    metadata = tmp_path / "staged.metadata"
    metadata.write_bytes(b"Metadata-Version: 2.4\n")
    adopted = storage.adopt(source, metadata=metadata)
    adopted.add_metadata(b"Metadata-Version: 2.4\n")
    adopted.stage()
    assert len(list(storage.tmp_dir.iterdir())) == 2  # the file's and the metadata's links
    adopted.discard()
    assert metadata.read_bytes() == b"Metadata-Version: 2.4\n"
    assert source.read_bytes() == b"refused at publish"
    assert list(storage.tmp_dir.iterdir()) == []
    assert sorted(p.name for p in storage.root.iterdir()) == [".tmp"]


def test_an_adoption_placed_elsewhere_removes_the_directory_it_made(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "packages")
    source = tmp_path / "staged"
    source.write_bytes(b"placed by another digest")
    adopted = storage.adopt(source)
    adopted.stage()
    adopted.commit("aa/bb/cccc/spam-1.0.tar.gz")
    assert (storage.root / "aa/bb/cccc/spam-1.0.tar.gz").samefile(source)
    assert sorted(p.name for p in storage.root.iterdir()) == [".tmp", "aa"]
