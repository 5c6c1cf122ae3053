"""The local index child process: start, watch, stop, and every way it can fail."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from pypidesk.client.local_setup import LocalSetup, ProcessResult
from pypidesk.gui.local_index import (
    AccountState,
    AccountStatus,
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
    data_dir: Path, http: httpx.AsyncClient, **kwargs: Any
) -> LocalIndexController:
    kwargs.setdefault("create_account", False)
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


async def test_a_data_dir_that_cannot_be_written_says_what_to_do(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    not_a_dir = tmp_path / "occupied"
    not_a_dir.write_text("a file where the data dir should be")
    controller = make_controller(not_a_dir, http)

    status = await controller.start()

    assert status.state is IndexState.FAILED
    assert status.reason == (
        f"The data folder {not_a_dir} cannot be written (File exists). Make it writable, "
        "or start pypidesk with --config-dir pointing to a folder you own."
    )
    assert controller._process is None  # no child was started


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


async def test_a_taken_port_is_refused_with_a_clear_message(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        controller = make_controller(tmp_path / "index", http, port=port)

        status = await controller.start()

    assert status.state is IndexState.FAILED
    assert status.reason == (
        f"Port {port} is in use by another program. Choose another port on the "
        "Local index page (or 0 for any free port), or stop that program."
    )
    assert controller._process is None
    # Once the port is free, the same controller starts on it.
    status = await controller.start()
    assert status.state is IndexState.RUNNING
    assert status.url == f"http://127.0.0.1:{port}"
    await controller.stop()


async def test_a_port_taken_while_the_child_starts_gets_the_same_message(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    def losing_the_race(data_dir: Path, port: int) -> list[str]:
        words = (
            "ERROR: [Errno 98] error while attempting to bind on address: address already in use"
        )
        return [sys.executable, "-c", f"print({words!r}); raise SystemExit(3)"]

    controller = make_controller(tmp_path, http, command=losing_the_race)
    status = await controller.start()
    assert status.state is IndexState.FAILED
    assert status.reason is not None
    assert status.reason.startswith("Port ")
    assert "is in use by another program" in status.reason


def test_the_port_setting_announces_changes(tmp_path: Path) -> None:
    controller = LocalIndexController(tmp_path, httpx.AsyncClient())
    changes: list[int] = []
    controller.port_changed.connect(changes.append)
    assert controller.port == 0
    controller.port = 8765
    controller.port = 8765
    controller.port = 0
    assert changes == [8765, 0]


def account_controller(
    data_dir: Path, http: httpx.AsyncClient, **kwargs: Any
) -> tuple[LocalIndexController, list[tuple[str, str]]]:
    controller = LocalIndexController(
        data_dir, http, setup=LocalSetup(data_dir, username="alice"), **kwargs
    )
    ready: list[tuple[str, str]] = []
    controller.account_ready.connect(lambda user, token: ready.append((user, token)))
    return controller, ready


async def test_the_first_run_creates_the_account_and_token_without_logging_them(
    tmp_path: Path, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "index"
    controller, ready = account_controller(data_dir, http)
    accounts: list[AccountState] = []
    controller.account_changed.connect(lambda account: accounts.append(account.state))

    status = await controller.start()

    assert status.state is IndexState.RUNNING
    assert [user for user, _ in ready] == ["alice"]
    token = ready[0][1]
    assert token.startswith("pypi-")
    assert accounts == [AccountState.CREATING, AccountState.READY]
    assert controller.account == AccountStatus(AccountState.READY, "alice")
    assert (data_dir / "desktop-account.json").is_file()
    response = await http.get(
        status.url + "/api/v1/account", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.json()["username"] == "alice"
    assert any("Created your account 'alice'" in line for line in controller.log_tail)
    everything = "\n".join(controller.log_tail) + caplog.text
    assert token not in everything
    assert token[5:25] not in everything

    # The next start finds the account and makes nothing new...
    accounts.clear()
    await controller.restart()
    assert len(ready) == 1
    assert accounts == [AccountState.READY]
    assert controller.account == AccountStatus(AccountState.READY, "alice")
    # ...unless asked for a new token,
    await controller.setup_account(renew=True)
    assert len(ready) == 2
    assert ready[1][1] != token
    await controller.stop()

    # or the frame says it has lost the token.
    again, renewed = account_controller(data_dir, http, token_lost=lambda user: user == "alice")
    await again.start()
    assert [user for user, _ in renewed] == ["alice"]
    assert renewed[0][1] not in (token, ready[1][1])
    await again.stop()


async def test_reset_wipes_the_data_and_starts_afresh(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    data_dir = tmp_path / "index"
    controller, ready = account_controller(data_dir, http)
    await controller.start()
    (data_dir / "keep-me.txt").write_text("not the index's")
    lines: list[str] = []
    controller.output.connect(lines.append)

    status = await controller.reset()

    assert status.state is IndexState.RUNNING
    assert len(ready) == 2
    assert ready[0][1] != ready[1][1]
    assert (data_dir / "keep-me.txt").read_text() == "not the index's"
    assert any(line.startswith("[pypidesk] Reset: deleted pypidesk.sqlite3") for line in lines)
    # The old token died with the old secret.key.
    response = await http.get(
        status.url + "/api/v1/account", headers={"Authorization": f"Bearer {ready[0][1]}"}
    )
    assert response.status_code == 401
    await controller.stop()


async def test_a_reset_that_cannot_delete_says_so(
    tmp_path: Path, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(data_dir: Path) -> list[str]:
        raise PermissionError(13, "Permission denied")

    # Root deletes anything here, so the refusal is staged.
    monkeypatch.setattr("pypidesk.gui.local_index.wipe_data_dir", refuse)
    controller = make_controller(tmp_path, http)
    status = await controller.reset()
    assert status.state is IndexState.FAILED
    assert status.reason == f"Could not delete the data in {tmp_path}: Permission denied."


class FailingRunner:
    async def __call__(self, argv: Sequence[str], stdin: bytes | None = None) -> ProcessResult:
        return ProcessResult(1, "", "pypidesk admin create-user: error: the disk is full\n")


async def test_a_failed_account_setup_leaves_the_index_running_and_says_why(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    setup = LocalSetup(tmp_path, runner=FailingRunner(), username="alice")
    controller = LocalIndexController(tmp_path, http, setup=setup)

    status = await controller.start()

    assert status.state is IndexState.RUNNING
    account = controller.account
    assert account.state is AccountState.FAILED
    assert account.reason is not None
    assert account.reason.endswith("the disk is full")
    assert controller.log_tail[-1] == "[pypidesk] " + account.reason
    await controller.stop()


class BlockingRunner:
    def __init__(self) -> None:
        self.called = asyncio.get_running_loop().create_future()

    async def __call__(self, argv: Sequence[str], stdin: bytes | None = None) -> ProcessResult:
        self.called.set_result(None)
        await asyncio.get_running_loop().create_future()  # until cancelled
        raise AssertionError("not reached")


async def test_stop_during_the_account_setup_cancels_it(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    runner = BlockingRunner()
    setup = LocalSetup(tmp_path, runner=runner, username="alice")
    controller = LocalIndexController(tmp_path, http, setup=setup)
    starting = asyncio.ensure_future(controller.start())
    await asyncio.wait_for(runner.called, 30)

    await controller.stop()
    await starting

    assert controller.status.state is IndexState.STOPPED
    assert controller.account == AccountStatus(AccountState.NONE)


async def test_a_token_in_the_childs_output_is_hidden(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    def leaky(data_dir: Path, port: int) -> list[str]:
        line = "GET http://__token__:pypi-AAAAAAAAAAAAAAAAAAAAAAAA@host/simple/"
        return [sys.executable, "-c", f"print({line!r}); raise SystemExit(2)"]

    controller = make_controller(tmp_path, http, command=leaky)
    await controller.start()
    assert controller.log_tail == ["GET http://__token__:(hidden)@host/simple/"]
