"""The first run's account and token, made by the real `pypidesk admin` on a real data dir."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from pypidesk.client.errors import LocalSetupError
from pypidesk.client.local_setup import (
    ACCOUNT_FILE,
    TOKEN_NAME,
    LocalSetup,
    ProcessResult,
    account_username,
    read_account,
    run_process,
)
from pypidesk.client.profiles import local_profile
from pypidesk.client.pypirc import plan
from pypidesk.client.snippets import LOCAL_INDEX_NAME, pypirc_values
from tests.conftest import LiveServer
from tests.e2e.upload_helpers import clean_env, write_dists
from tests.index.upload.dists import make_wheel


@pytest.mark.parametrize(
    ("login", "username"),
    [
        ("alice", "alice"),
        ("José Müller", "Jose-Muller"),
        ("_build.bot_", "build.bot"),
        ("DOMAIN\\someone", "DOMAIN-someone"),
        ("a" * 49 + "-b", "a" * 49),
        ("", "maintainer"),
        ("日本", "maintainer"),
    ],
)
def test_the_os_user_name_becomes_a_valid_username(login: str, username: str) -> None:
    assert account_username(login) == username


def test_without_a_login_the_os_user_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "carol")
    monkeypatch.setenv("USER", "carol")
    assert account_username() == "carol"


def test_no_os_user_at_all_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr("getpass.getuser", no_user)
    assert account_username() == "maintainer"


async def api_account(url: str, token: str) -> dict[str, object]:
    async with httpx.AsyncClient() as http:
        response = await http.get(
            url + "/api/v1/account", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_first_run_creates_the_account_and_a_token_that_uploads(
    live_server: LiveServer, tmp_path: Path
) -> None:
    setup = LocalSetup(live_server.data_dir, username="alice")
    assert setup.username is None

    created = await setup.ensure_account()

    assert created is not None
    assert created.username == "alice"
    assert created.token.startswith("pypi-")
    assert created.token not in repr(created)
    assert setup.username == "alice"
    marker = live_server.data_dir / ACCOUNT_FILE
    assert stat.S_IMODE(marker.stat().st_mode) == 0o600
    assert json.loads(marker.read_text()) == {"username": "alice", "token_name": TOKEN_NAME}
    assert "pypi-" not in marker.read_text()
    account = await api_account(live_server.url, created.token)
    assert account["username"] == "alice"
    token_info = account["token"]
    assert isinstance(token_info, dict)
    assert sorted(token_info["permissions"]) == ["manage", "upload"]

    # The token uploads, through a ~/.pypirc written as the app writes it.
    pypirc = tmp_path / "home" / ".pypirc"
    values = pypirc_values(local_profile(live_server.url), created.token)
    plan(pypirc, LOCAL_INDEX_NAME, values).write()
    (wheel,) = write_dists(tmp_path / "dist", make_wheel("first-run-demo", "1.0"))
    upload = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "twine",
            "upload",
            "--non-interactive",
            "--disable-progress-bar",
            "--config-file",
            str(pypirc),
            "-r",
            LOCAL_INDEX_NAME,
            str(wheel),
        ],
        env=clean_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert upload.returncode == 0, upload.stdout + upload.stderr
    assert created.token not in upload.stdout + upload.stderr
    async with httpx.AsyncClient() as http:
        response = await http.get(live_server.url + "/pypi/first-run-demo/json")
    assert response.json()["info"]["version"] == "1.0"

    # Later runs make nothing new.
    assert await setup.ensure_account() is None


async def test_a_lost_token_is_replaced_for_the_same_account(
    live_server: LiveServer,
) -> None:
    setup = LocalSetup(live_server.data_dir, username="bob")
    first = await setup.ensure_account()
    assert first is not None

    renewed = await setup.renew_token()

    assert renewed.username == "bob"
    assert renewed.token != first.token
    assert (await api_account(live_server.url, renewed.token))["username"] == "bob"
    async with httpx.AsyncClient() as http:
        old = await http.get(
            live_server.url + "/api/v1/account", headers={"Authorization": f"Bearer {first.token}"}
        )
    assert old.status_code == 401


async def test_an_existing_account_of_that_name_is_adopted(data_dir: Path) -> None:
    create = await run_process(
        [
            sys.executable,
            "-m",
            "pypidesk",
            "admin",
            "--data-dir",
            str(data_dir),
            "create-user",
            "dave",
            "--email",
            "dave@example.org",
        ],
        b"a password typed by hand\n",
    )
    assert create.returncode == 0, create.stderr
    setup = LocalSetup(data_dir, username="dave")

    created = await setup.ensure_account()

    assert created is not None
    assert created.username == "dave"
    assert read_account(data_dir) == "dave"


async def test_renewing_before_the_first_run_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(LocalSetupError, match="start it to create one"):
        await LocalSetup(tmp_path).renew_token()


@pytest.mark.parametrize("content", ["not json", "[1]", '{"username": ""}'])
def test_an_unreadable_note_counts_as_no_account(tmp_path: Path, content: str) -> None:
    (tmp_path / ACCOUNT_FILE).write_text(content)
    assert read_account(tmp_path) is None


class Scripted:
    """A process runner that answers from a script, for failures `pypidesk admin` rarely gives."""

    def __init__(self, *results: ProcessResult) -> None:
        self.results = list(results)
        self.calls: list[list[str]] = []

    async def __call__(self, argv: Sequence[str], stdin: bytes | None = None) -> ProcessResult:
        self.calls.append(list(argv))
        return self.results.pop(0)


async def test_a_refused_account_is_reported_without_the_password(tmp_path: Path) -> None:
    runner = Scripted(ProcessResult(1, "", "warning\npypidesk admin: error: disk full\n"))
    setup = LocalSetup(tmp_path, runner=runner, username="erin")
    with pytest.raises(LocalSetupError, match="account 'erin' on the local index: pypidesk"):
        await setup.ensure_account()
    assert read_account(tmp_path) is None
    # The password went on stdin, never on the command line.
    assert runner.calls[0][-3:] == ["erin", "--email", "erin@localhost.localdomain"]


@pytest.mark.parametrize(
    "answer",
    [ProcessResult(1, "", ""), ProcessResult(0, "not a token\n", "")],
)
async def test_a_refused_token_is_reported(tmp_path: Path, answer: ProcessResult) -> None:
    runner = Scripted(ProcessResult(0, "Created user 'erin'.\n", ""), answer)
    setup = LocalSetup(tmp_path, runner=runner, username="erin")
    with pytest.raises(LocalSetupError, match="API token for 'erin'"):
        await setup.ensure_account()
    assert read_account(tmp_path) is None


async def test_a_cancelled_child_is_killed() -> None:
    started: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        started.set_result(int(await reader.readline()))
        writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    code = (
        f"import os, socket, time; s = socket.create_connection(('127.0.0.1', {port})); "
        "s.sendall(str(os.getpid()).encode() + b'\\n'); time.sleep(60)"
    )
    async with server:
        task = asyncio.ensure_future(run_process([sys.executable, "-c", code]))
        pid = await asyncio.wait_for(started, 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
