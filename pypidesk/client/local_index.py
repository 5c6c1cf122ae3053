"""What it takes to run the bundled index as a child process, minus the process itself.

The GUI drives the child with ``QProcess`` (it needs Qt's event loop); scripts
can use ``subprocess``. Both build the same command and wait the same way.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import httpx

from pypidesk.client.errors import ClientError, LocalIndexError
from pypidesk.client.health import IndexHealth, check_health

LOOPBACK = "127.0.0.1"


def find_free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


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
