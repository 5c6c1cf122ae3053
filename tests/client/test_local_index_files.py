"""Checks before the local index starts, and the reset that wipes its data."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from pypidesk.client.errors import DataDirError, LocalIndexError, PortInUseError
from pypidesk.client.local_index import (
    admin_command,
    check_data_dir,
    check_port,
    wipe_data_dir,
)
from pypidesk.paths import DEFAULT_LOCAL_PORT


def test_a_taken_port_says_what_to_do() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(PortInUseError) as raised:
            check_port(port)
    assert raised.value.port == port
    assert str(raised.value) == (
        f"Port {port} is in use by another program. Choose another port on the "
        "Local index page (or 0 for any free port), or stop that program."
    )
    check_port(port)  # free again


def test_port_zero_always_passes_and_the_default_is_fixed() -> None:
    check_port(0)
    assert DEFAULT_LOCAL_PORT == 8765


def test_an_address_that_cannot_be_bound_is_reported() -> None:
    # 192.0.2.1 (TEST-NET-1) is on no interface of this machine.
    with pytest.raises(LocalIndexError, match="Cannot listen on port 9"):
        check_port(9, host="192.0.2.1")


def test_a_data_dir_is_created_and_checked(tmp_path: Path) -> None:
    check_data_dir(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
    assert list((tmp_path / "a" / "b").iterdir()) == []


def test_a_file_in_place_of_the_data_dir_says_what_to_do(tmp_path: Path) -> None:
    occupied = tmp_path / "occupied"
    occupied.write_text("a file")
    with pytest.raises(DataDirError) as raised:
        check_data_dir(occupied)
    assert str(raised.value) == (
        f"The data folder {occupied} cannot be written (File exists). Make it writable, "
        "or start pypidesk with --config-dir pointing to a folder you own."
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_read_only_data_dir_is_refused(tmp_path: Path) -> None:
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o500)
    try:
        probe = read_only / "probe"
        try:
            probe.write_text("")
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("running as a user who can write anywhere (root)")
        with pytest.raises(DataDirError, match="Permission denied"):
            check_data_dir(read_only)
    finally:
        read_only.chmod(0o700)


def test_wipe_removes_the_index_data_and_nothing_else(tmp_path: Path) -> None:
    for name in ("pypidesk.sqlite3", "secret.key", "desktop-account.json", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "packages" / "ab").mkdir(parents=True)
    (tmp_path / "packages" / "ab" / "f.whl").write_bytes(b"w")
    (tmp_path / "pypidesk.sqlite3-wal").symlink_to(tmp_path / "notes.txt")

    removed = wipe_data_dir(tmp_path)

    assert removed == [
        "pypidesk.sqlite3",
        "pypidesk.sqlite3-wal",
        "secret.key",
        "packages",
        "desktop-account.json",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert wipe_data_dir(tmp_path) == []


def test_admin_command_uses_this_interpreter(tmp_path: Path) -> None:
    assert admin_command(tmp_path, "create-token", "x") == [
        sys.executable,
        "-m",
        "pypidesk",
        "admin",
        "--data-dir",
        str(tmp_path),
        "create-token",
        "x",
    ]
