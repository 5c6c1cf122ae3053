"""The client's health check against a real index, a closed port, and wrong answers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pypidesk import __version__
from pypidesk.client import (
    IndexHealth,
    IndexHTTPError,
    IndexUnreachableError,
    LocalIndexError,
    check_health,
)
from pypidesk.client.local_index import find_free_port, serve_command, wait_until_healthy
from tests.conftest import LiveServer


async def test_health_of_a_live_index(live_server: LiveServer) -> None:
    async with httpx.AsyncClient() as client:
        health = await check_health(client, live_server.url + "/")
    assert health == IndexHealth(version=__version__, serial=0)


async def test_closed_port_is_unreachable() -> None:
    url = f"http://127.0.0.1:{find_free_port()}"
    async with httpx.AsyncClient() as client:
        with pytest.raises(IndexUnreachableError) as exc_info:
            await check_health(client, url)
    assert exc_info.value.url == url + "/_health"
    assert "Check the address and that the server is running" in str(exc_info.value)


async def test_http_error_carries_status(static_server: tuple[str, Path]) -> None:
    url, _root = static_server
    async with httpx.AsyncClient() as client:
        with pytest.raises(IndexHTTPError) as exc_info:
            await check_health(client, url)
    assert exc_info.value.status_code == 404
    assert "answered 404" in str(exc_info.value)


@pytest.mark.parametrize("body", ["<html>not json</html>", '{"status": "ok"}', "[1, 2]"])
async def test_a_foreign_answer_is_not_health(static_server: tuple[str, Path], body: str) -> None:
    url, root = static_server
    (root / "_health").write_text(body)
    async with httpx.AsyncClient() as client:
        with pytest.raises(IndexHTTPError, match="not a pypidesk health answer"):
            await check_health(client, url)


async def test_wait_until_healthy_returns_once_up(live_server: LiveServer) -> None:
    async with httpx.AsyncClient() as client:
        health = await wait_until_healthy(client, live_server.url, timeout=5)
    assert health.version == __version__


async def test_wait_until_healthy_gives_up_after_timeout() -> None:
    url = f"http://127.0.0.1:{find_free_port()}"
    async with httpx.AsyncClient() as client:
        with pytest.raises(LocalIndexError, match=r"did not answer within 0\.3 s"):
            await wait_until_healthy(client, url, timeout=0.3, interval=0.05)


def test_serve_command_runs_this_interpreter(tmp_path: Path) -> None:
    command = serve_command(tmp_path, 1234)
    assert command[:4] == [command[0], "-m", "pypidesk", "serve"]
    assert command[command.index("--port") + 1] == "1234"
    assert command[command.index("--data-dir") + 1] == str(tmp_path)
    assert command[command.index("--host") + 1] == "127.0.0.1"
