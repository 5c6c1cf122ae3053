"""A plain static HTTP server on loopback, for answers no index would give."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.index.staging.live import index
from tests.memory_keyring import MemoryKeyring, installed_memory_keyring

__all__ = ["index"]  # a live index with two users, for the staging client's tests


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, directory): files put in the directory are served as they are."""
    root = tmp_path / "static"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """No test reaches the real keyring: an in-memory one, process-wide, restored after."""
    with installed_memory_keyring() as backend:
        yield backend


from tests.client.live_indexes import published_index, pypiserver_index  # noqa: E402, F401
