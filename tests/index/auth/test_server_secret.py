import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from pypidesk.index.auth.server_secret import SECRET_SIZE, SecretKeyError, load_or_create_secret


def test_created_once_private_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "new-dir" / "secret.key"
    secret = load_or_create_secret(path)
    assert len(secret) == SECRET_SIZE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == secret
    # No temporary file is left beside it.
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]


def _load(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(load_or_create_secret(Path(path)))


def test_processes_starting_at_once_agree_on_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_load, args=(str(path), queue)) for _ in range(6)]
    for worker in workers:
        worker.start()
    results = {queue.get(timeout=30) for _ in workers}
    for worker in workers:
        worker.join(timeout=30)
    assert results == {path.read_bytes()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.key"]


def test_losing_the_race_uses_the_winners_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.key"
    winner = b"w" * SECRET_SIZE
    real_link = __import__("os").link

    def link_after_winner(source: str, target: str) -> None:
        Path(target).write_bytes(winner)  # another process got there first
        real_link(source, target)

    monkeypatch.setattr("pypidesk.index.auth.server_secret.os.link", link_after_winner)
    assert load_or_create_secret(path) == winner
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]


def test_a_damaged_secret_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_bytes(b"short")
    with pytest.raises(SecretKeyError, match=r"holds 5 bytes, not a 32-byte pypidesk secret"):
        load_or_create_secret(path)
    assert path.read_bytes() == b"short"


def test_a_replaced_secret_is_read_again(tmp_path: Path) -> None:
    """Restoring a backup of the secret takes effect without a restart."""
    path = tmp_path / "secret.key"
    first = load_or_create_secret(path)
    backup = tmp_path / "backup.key"
    backup.write_bytes(b"b" * SECRET_SIZE)
    backup.replace(path)
    assert load_or_create_secret(path) == b"b" * SECRET_SIZE != first
    # Written over in place, same size: the modification time tells.
    with path.open("r+b") as handle:
        handle.write(b"c" * SECRET_SIZE)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert load_or_create_secret(path) == b"c" * SECRET_SIZE


def test_a_secret_read_before_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.key"
    secret = load_or_create_secret(path)
    reads: list[Path] = []
    real_read_bytes = Path.read_bytes

    def counted(self: Path) -> bytes:
        reads.append(self)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counted)
    assert load_or_create_secret(path) == secret
    assert reads == []
