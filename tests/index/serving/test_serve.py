"""`pypidesk serve` as a real process on a loopback port."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pypidesk import __version__
from pypidesk.index.serving import server
from pypidesk.index.settings import ServerSettings
from tests.conftest import LiveServer


def test_health_answers_with_version_and_serial(live_server: LiveServer) -> None:
    response = httpx.get(live_server.url + "/_health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__, "serial": 0}


def test_empty_simple_index_is_a_valid_page(live_server: LiveServer) -> None:
    response = httpx.get(live_server.url + "/simple/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<meta name="pypi:repository-version" content="1.4">' in response.text
    assert "<title>Simple index</title>" in response.text
    assert "<a " not in response.text


def test_serve_creates_the_data_dir_and_stops_cleanly(live_server: LiveServer) -> None:
    assert (live_server.data_dir / "pypidesk.sqlite3").is_file()
    assert live_server.stop() == 0
    log = live_server.log_path.read_text()
    assert "Application startup complete" in log
    assert "Application shutdown complete" in log


def test_serve_on_postgresql(data_dir, postgres_url: str) -> None:
    server = LiveServer(data_dir, ["--database-url", postgres_url])
    try:
        server.wait_healthy()
        assert httpx.get(server.url + "/_health").json()["serial"] == 0
    finally:
        assert server.stop() == 0
    assert not (data_dir / "pypidesk.sqlite3").exists()


def test_serve_exits_3_with_the_reason_when_the_records_cannot_open(data_dir) -> None:
    server = LiveServer(data_dir, ["--database-url", "sqlite:////nonexistent/dir/x.sqlite3"])
    assert server.process.wait(timeout=60) == 3
    server.stop()
    log = server.log_path.read_text()
    assert "unable to open database file" in log
    assert "Application startup failed" in log


def test_serve_refuses_a_data_dir_that_is_a_file(tmp_path) -> None:
    occupied = tmp_path / "occupied"
    occupied.write_text("")
    server = LiveServer(occupied)
    assert server.process.wait(timeout=60) == 1
    server.stop()
    assert f"cannot use {occupied} as data dir" in server.log_path.read_text()


def test_a_single_process_server_exits_0_once_it_has_stopped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The `serve` process's exit code after a graceful stop (the child tests stop it by
    SIGTERM; coverage does not always see that child's last line, so it is checked here)."""
    stopped: list[int] = []
    monkeypatch.setattr(server._Server, "run", lambda self, sockets=None: stopped.append(1))
    settings = ServerSettings(data_dir=tmp_path)
    assert server.run_server(settings, host="127.0.0.1", port=0, log_level="error") == 0
    assert stopped == [1]
