"""The file store: streamed writes, digests, limits, staging, and the crash sweep."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pypidesk.index.storage import LocalFileStorage, storage_path

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
