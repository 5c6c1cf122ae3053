"""What it takes to run the bundled index as a child process, minus the process itself.

The GUI drives the child with ``QProcess`` (it needs Qt's event loop); scripts
can use ``subprocess``. Both build the same command and wait the same way.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import socket
import sys
from pathlib import Path

import httpx

from pypidesk.client.errors import (
    ClientError,
    DataDirError,
    LocalIndexError,
    PortInUseError,
)
from pypidesk.client.health import IndexHealth, check_health

LOOPBACK = "127.0.0.1"
# What `pypidesk serve` and the app keep in a data dir: the only names a reset
# removes, so a data dir pointed at a folder with other files loses nothing else.
DATA_DIR_ENTRIES = (
    "pypidesk.sqlite3",
    "pypidesk.sqlite3-wal",
    "pypidesk.sqlite3-shm",
    "pypidesk.sqlite3-journal",
    ".migrate.lock",
    "secret.key",
    "packages",
    "desktop-account.json",
)
# The child's own words when uvicorn cannot bind (errno 98 on Linux, 48 on macOS).
ADDRESS_IN_USE_TEXT = "address already in use"


def find_free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def check_port(port: int, host: str = LOOPBACK) -> None:
    """Raise :class:`PortInUseError` if something already listens on ``port``.

    Checked before the child starts, so the user reads one clear sentence
    instead of uvicorn's bind error; port 0 (any free port) always passes.
    """
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As uvicorn binds: connections of the previous run lingering in
        # TIME_WAIT must not count as "in use", a listening socket still does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(port) from exc
            raise LocalIndexError(f"Cannot listen on port {port}: {exc.strerror}.") from exc


def check_data_dir(data_dir: Path) -> None:
    """Create ``data_dir`` if needed and prove it writable, or raise :class:`DataDirError`."""
    probe = data_dir / ".pypidesk-write-test"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataDirError(str(data_dir), exc.strerror or type(exc).__name__) from exc


def wipe_data_dir(data_dir: Path) -> list[str]:
    """Remove what the index keeps in ``data_dir`` (see :data:`DATA_DIR_ENTRIES`).

    Returns the names removed. Only the index's own entries go: other files a
    user keeps there stay. The index must be stopped first.
    """
    removed = []
    for name in DATA_DIR_ENTRIES:
        path = data_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif os.path.lexists(path):
            path.unlink()
        else:
            continue
        removed.append(name)
    return removed


def admin_command(data_dir: Path, *arguments: str) -> list[str]:
    """The argv of ``pypidesk admin`` on ``data_dir`` with the running interpreter."""
    return [sys.executable, "-m", "pypidesk", "admin", "--data-dir", str(data_dir), *arguments]


def serve_command(data_dir: Path, port: int, host: str = LOOPBACK) -> list[str]:
    """The argv that starts the local index with the running interpreter."""
    return [
        sys.executable,
        "-m",
        "pypidesk",
        "serve",
        "--host",
        host,
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        # A local test index is a sandbox: let the author try uploads with a password.
        "--allow-password-uploads",
    ]


async def wait_until_healthy(
    client: httpx.AsyncClient, base_url: str, timeout: float, interval: float = 0.1
) -> IndexHealth:
    """Poll ``/_health`` until it answers, or raise :class:`LocalIndexError` after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            return await check_health(client, base_url)
        except ClientError as exc:
            if loop.time() >= deadline:
                raise LocalIndexError(
                    f"The local index did not answer within {timeout:g} s ({exc})"
                ) from exc
        await asyncio.sleep(interval)
