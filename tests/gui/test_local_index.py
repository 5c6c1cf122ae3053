"""The local index child process: start, watch, stop, and every way it can fail."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from pypidesk.gui.local_index import (
    IndexState,
    LocalIndexController,
    LocalIndexStatus,
    stop_quietly,
)
from pypidesk.gui.signals import next_emission


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def make_controller(
    data_dir: Path, http: httpx.AsyncClient, **kwargs: float
) -> LocalIndexController:
    return LocalIndexController(data_dir, http, **kwargs)


def record_states(controller: LocalIndexController) -> list[IndexState]:
    states: list[IndexState] = []
    controller.status_changed.connect(lambda status: states.append(status.state))
    return states


async def test_start_runs_a_healthy_index_and_stop_ends_it(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    controller = make_controller(tmp_path / "index", http)
    states = record_states(controller)
    lines: list[str] = []
    controller.output.connect(lines.append)

    status = await controller.start()

    assert status.state is IndexState.RUNNING
    assert status.url is not None
    assert status.url.startswith("http://127.0.0.1:")
    response = await http.get(status.url + "/_health")
    assert response.json()["status"] == "ok"
    assert (tmp_path / "index" / "pypidesk.sqlite3").is_file()
    # Starting again while running changes nothing.
    assert await controller.start() is status

    await controller.stop()

    assert controller.status == LocalIndexStatus(IndexState.STOPPED)
    assert states == [IndexState.STARTING, IndexState.RUNNING, IndexState.STOPPED]
    with pytest.raises(httpx.ConnectError):
        await http.get(status.url + "/_health")
    assert any("Application startup complete" in line for line in lines)
    assert controller.log_tail == lines


async def test_a_child_that_cannot_start_reports_why(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    not_a_dir = tmp_path / "occupied"
    not_a_dir.write_text("a file where the data dir should be")
    controller = make_controller(not_a_dir, http)

    status = await controller.start()

    assert status.state is IndexState.FAILED
    assert status.reason is not None
    assert status.reason.startswith("the server exited with code 1: pypidesk serve: error:")
    assert f"cannot use {not_a_dir} as data dir" in status.reason
    assert "Local index failed: the server exited" in status.describe()


async def test_a_child_too_slow_to_answer_is_stopped_and_reported(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    controller = make_controller(tmp_path / "index", http, startup_timeout=0.0)

    status = await controller.start()

    assert status.state is IndexState.FAILED
    assert status.reason is not None
    assert "did not answer within 0 s" in status.reason


async def test_a_crash_while_running_is_reported(tmp_path: Path, http: httpx.AsyncClient) -> None:
    controller = make_controller(tmp_path / "index", http)
    await controller.start()
    failed = next_emission(controller.status_changed)
    process = controller._process
    assert process is not None

    os.kill(process.processId(), signal.SIGKILL)
    (status,) = await asyncio.wait_for(failed, 10)

    assert status.state is IndexState.FAILED
    assert status.reason.startswith("the server crashed")
    # Stopping a failed index keeps the failure on show.
    await controller.stop()
    assert controller.status.state is IndexState.FAILED


async def test_stop_kills_a_child_that_outlives_the_grace_period(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    controller = make_controller(tmp_path / "index", http, stop_grace=0.0)
    status = await controller.start()
    assert status.state is IndexState.RUNNING

    await controller.stop()

    assert controller.status.state is IndexState.STOPPED
    process = controller._process
    assert process is not None
    assert process.processId() == 0  # no process any more


async def test_stop_while_starting_wins(tmp_path: Path, http: httpx.AsyncClient) -> None:
    controller = make_controller(tmp_path / "index", http)
    starting = asyncio.ensure_future(controller.start())
    await next_emission(controller.output)  # the child is up and talking

    await controller.stop()
    status = await starting

    assert status.state is IndexState.STOPPED


async def test_stop_before_start_is_harmless(tmp_path: Path, http: httpx.AsyncClient) -> None:
    controller = make_controller(tmp_path / "index", http)
    states = record_states(controller)
    await stop_quietly(controller)
    assert states == [IndexState.STOPPED]
    assert controller.status.describe() == "Local index stopped"


def test_status_lines() -> None:
    assert LocalIndexStatus(IndexState.STARTING).describe() == "Local index: starting…"
    running = LocalIndexStatus(IndexState.RUNNING, url="http://127.0.0.1:9")
    assert running.describe() == "Local index running at http://127.0.0.1:9"
    failed = LocalIndexStatus(IndexState.FAILED, reason="boom")
    assert failed.describe() == "Local index failed: boom"


async def test_last_words_without_a_newline_still_explain_the_failure(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    def dying_command(data_dir: Path, port: int) -> list[str]:
        return [
            sys.executable,
            "-c",
            "import sys; sys.stdout.write('no room at port'); sys.exit(4)",
        ]

    controller = LocalIndexController(tmp_path, http, command=dying_command)
    lines: list[str] = []
    controller.output.connect(lines.append)

    status = await controller.start()

    assert status.state is IndexState.FAILED
    assert status.reason == "the server exited with code 4: no room at port"
    assert lines == ["no room at port"]
