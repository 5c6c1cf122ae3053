"""The bundled local index as a child process, with a state the window can show.

A ``QProcess`` rather than asyncio's subprocess support for the server: it is
driven by Qt's own event loop, so output and exit arrive as signals without
extra threads. The short ``pypidesk admin`` runs of the first-run setup go
through :mod:`pypidesk.client.local_setup` (asyncio subprocesses, which work
on the qasync loop), so a script can make the same account the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import httpx
from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from pypidesk.client.errors import LocalIndexError, LocalSetupError, PortInUseError
from pypidesk.client.local_index import (
    ADDRESS_IN_USE_TEXT,
    LOOPBACK,
    check_data_dir,
    check_port,
    find_free_port,
    serve_command,
    wait_until_healthy,
    wipe_data_dir,
)
from pypidesk.client.local_setup import LocalSetup
from pypidesk.client.redact import redact
from pypidesk.gui.signals import next_emission

log = logging.getLogger(__name__)

# Lines of the child's output kept for the failure message and the log view.
TAIL_LINES = 200


class IndexState(enum.Enum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    FAILED = "failed"


@dataclasses.dataclass(frozen=True, slots=True)
class LocalIndexStatus:
    state: IndexState
    url: str | None = None
    reason: str | None = None

    def describe(self) -> str:
        """One line for the status bar."""
        match self.state:
            case IndexState.STARTING:
                return "Local index: starting…"
            case IndexState.RUNNING:
                return f"Local index running at {self.url}"
            case IndexState.FAILED:
                return f"Local index failed: {self.reason}"
            case _:
                return "Local index stopped"


class AccountState(enum.Enum):
    NONE = "none"  # not looked at yet (the index has not run)
    CREATING = "creating"
    READY = "ready"
    FAILED = "failed"


@dataclasses.dataclass(frozen=True, slots=True)
class AccountStatus:
    """The app's own account on the local index (never its token)."""

    state: AccountState
    username: str | None = None
    reason: str | None = None


def _never(_username: str) -> bool:
    return False


# Lines the app itself adds to the server's log view start with this.
OWN_LINE_PREFIX = "[pypidesk] "


class LocalIndexController(QObject):
    """Starts, watches and stops ``pypidesk serve`` on a loopback port.

    The first time the index answers, it also makes the app's account and an
    upload+manage token (:class:`~pypidesk.client.local_setup.LocalSetup`) and
    hands them over through :attr:`account_ready`; the frame keeps the token
    in the keyring. ``token_lost(username)`` lets the frame say, on a later
    start, that it no longer holds one, and a new token is made.
    """

    status_changed = Signal(object)  # LocalIndexStatus
    output = Signal(str)  # one line of the child's log, secrets hidden
    #: (username, token) of a freshly made token: for the keyring, never for a log.
    account_ready = Signal(str, str)
    account_changed = Signal(object)  # AccountStatus
    port_changed = Signal(int)  # the configured port, for the frame to remember

    def __init__(
        self,
        data_dir: Path,
        http: httpx.AsyncClient,
        *,
        port: int = 0,
        startup_timeout: float = 60.0,
        stop_grace: float = 5.0,
        command: Callable[[Path, int], list[str]] = serve_command,
        setup: LocalSetup | None = None,
        create_account: bool = True,
        token_lost: Callable[[str], bool] = _never,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._http = http
        self._port = port
        self._startup_timeout = startup_timeout
        self._stop_grace = stop_grace
        self._command = command
        self._setup = setup or LocalSetup(data_dir)
        self._create_account = create_account
        self._token_lost = token_lost
        self._process: QProcess | None = None
        self._listening_port = 0
        self._partial_line = ""
        self._tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._stopping = False
        self._status = LocalIndexStatus(IndexState.STOPPED)
        self._account = AccountStatus(AccountState.NONE)
        self._account_task: asyncio.Future[AccountStatus] | None = None

    @property
    def status(self) -> LocalIndexStatus:
        return self._status

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def log_tail(self) -> list[str]:
        return list(self._tail)

    @property
    def account(self) -> AccountStatus:
        return self._account

    @property
    def port(self) -> int:
        """The port to listen on at the next start; 0 means any free port."""
        return self._port

    @port.setter
    def port(self, port: int) -> None:
        if port != self._port:
            self._port = port
            self.port_changed.emit(port)

    def _set_status(self, status: LocalIndexStatus) -> None:
        self._status = status
        log.info("%s", status.describe())
        self.status_changed.emit(status)

    def _set_account(self, account: AccountStatus) -> None:
        self._account = account
        self.account_changed.emit(account)

    async def start(self) -> LocalIndexStatus:
        """Start the child, wait until it answers ``/_health``, then set up the account."""
        if self._status.state in (IndexState.STARTING, IndexState.RUNNING):
            return self._status
        try:
            # Checked here, not left to the child: one sentence that says what
            # to do instead of uvicorn's bind error or a traceback.
            check_data_dir(self._data_dir)
            check_port(self._port)
        except LocalIndexError as exc:
            self._set_status(LocalIndexStatus(IndexState.FAILED, reason=str(exc)))
            return self._status
        port = self._port or find_free_port()
        self._listening_port = port
        url = f"http://{LOOPBACK}:{port}"
        program, *arguments = self._command(self._data_dir, port)
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        environment = QProcessEnvironment.systemEnvironment()
        # A Python child block-buffers a pipe; the log view wants lines as they come.
        environment.insert("PYTHONUNBUFFERED", "1")
        process.setProcessEnvironment(environment)
        process.readyReadStandardOutput.connect(self._read_output)
        process.finished.connect(self._on_finished)
        self._process = process
        self._stopping = False
        self._tail.clear()
        self._set_status(LocalIndexStatus(IndexState.STARTING, url=url))
        ended = next_emission(process.finished)
        process.start(program, arguments)
        healthy = asyncio.ensure_future(
            wait_until_healthy(self._http, url, timeout=self._startup_timeout)
        )
        try:
            waiters: set[asyncio.Future[Any]] = {healthy, ended}
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # Reached on success, on failure and when the caller cancels us.
            healthy.cancel()
            ended.cancel()
        if self._process is not process or self._stopping:
            # stop() ran while we were waiting; it reports the new state itself.
            return LocalIndexStatus(IndexState.STOPPED)
        if ended.done() and not ended.cancelled():
            # The child died before answering; _on_finished has said why.
            return self._status
        if healthy.exception() is None:
            self._set_status(LocalIndexStatus(IndexState.RUNNING, url=url))
            if self._create_account:
                await self._await_account(self.setup_account())
        else:
            reason = str(healthy.exception())
            self._stopping = True
            await self._terminate(process)
            self._set_status(LocalIndexStatus(IndexState.FAILED, url=url, reason=reason))
        return self._status

    async def _await_account(self, setup: Awaitable[AccountStatus]) -> None:
        # A task of its own, so stop() can cancel it without cancelling start().
        task = asyncio.ensure_future(setup)
        self._account_task = task
        await asyncio.gather(task, return_exceptions=True)

    async def setup_account(self, *, renew: bool = False) -> AccountStatus:
        """Make the app's account and token if missing (or a new token, with ``renew``).

        Emits :attr:`account_ready` with a fresh token; the index must be running
        for the new account to be usable, but ``pypidesk admin`` needs only the
        data dir.
        """
        username = self._setup.username
        if username is not None and not renew and not self._token_lost(username):
            # The usual start: the account exists and the frame holds its token.
            self._set_account(AccountStatus(AccountState.READY, username=username))
            return self._account
        self._set_account(AccountStatus(AccountState.CREATING, username=username))
        try:
            if username is None:
                created = await self._setup.create_account()
                self._say(
                    f"Created your account {created.username!r} on the local index "
                    "and an API token for this app (the token is not shown here)."
                )
            else:
                created = await self._setup.renew_token()
                self._say(f"Made a new API token for {username!r} (the old one is revoked).")
        except LocalSetupError as exc:
            self._say(str(exc))
            self._set_account(AccountStatus(AccountState.FAILED, username, reason=str(exc)))
            return self._account
        self.account_ready.emit(created.username, created.token)
        self._set_account(AccountStatus(AccountState.READY, username=created.username))
        return self._account

    async def restart(self) -> LocalIndexStatus:
        await self.stop()
        return await self.start()

    async def reset(self) -> LocalIndexStatus:
        """Stop, delete the index's data (see ``wipe_data_dir``), and start afresh.

        The new index gets a new account and token, as on the very first run.
        """
        await self.stop()
        try:
            removed = wipe_data_dir(self._data_dir)
        except OSError as exc:
            reason = f"Could not delete the data in {self._data_dir}: {exc.strerror or exc}."
            self._set_status(LocalIndexStatus(IndexState.FAILED, reason=reason))
            return self._status
        self._say(f"Reset: deleted {', '.join(removed) or 'nothing'} in {self._data_dir}.")
        self._set_account(AccountStatus(AccountState.NONE))
        return await self.start()

    async def stop(self) -> None:
        """Stop the child: SIGTERM, a grace period, then SIGKILL."""
        if self._account_task is not None and not self._account_task.done():
            self._account_task.cancel()
            await asyncio.gather(self._account_task, return_exceptions=True)
            self._set_account(AccountStatus(AccountState.NONE, self._setup.username))
        process = self._process
        if process is None or process.state() == QProcess.ProcessState.NotRunning:
            if self._status.state != IndexState.FAILED:
                self._set_status(LocalIndexStatus(IndexState.STOPPED))
            return
        self._stopping = True
        await self._terminate(process)
        self._set_status(LocalIndexStatus(IndexState.STOPPED))

    async def _terminate(self, process: QProcess) -> None:
        ended = next_emission(process.finished)
        process.terminate()
        try:
            await asyncio.wait_for(asyncio.shield(ended), self._stop_grace)
        except TimeoutError:
            log.warning("Local index ignored SIGTERM for %s s; killing it", self._stop_grace)
            process.kill()
            await ended

    def _read_output(self) -> None:
        # A bound method, not a lambda holding the process: a lambda would tie
        # the process and its connection into a reference cycle (see signals.py).
        process = cast("QProcess", self.sender())
        chunk = bytes(process.readAllStandardOutput().data()).decode("utf-8", errors="replace")
        *lines, self._partial_line = (self._partial_line + chunk).split("\n")
        for line in lines:
            self._emit_line(line.rstrip("\r"))

    def _emit_line(self, line: str) -> None:
        # The server never prints a token, but a client may put one in a URL.
        line = redact(line)
        self._tail.append(line)
        self.output.emit(line)

    def _say(self, sentence: str) -> None:
        """Add the app's own line to the log view (and the app's log)."""
        log.info("%s", redact(sentence))
        self._emit_line(OWN_LINE_PREFIX + sentence)

    def _on_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        if self._partial_line:
            self._emit_line(self._partial_line)
            self._partial_line = ""
        if self._stopping:
            # A SIGTERM'd child reports CrashExit with code 15: that is "stopped".
            return
        reason = self._failure_reason(exit_code, exit_status)
        self._set_status(LocalIndexStatus(IndexState.FAILED, url=self._status.url, reason=reason))

    def _failure_reason(self, exit_code: int, exit_status: QProcess.ExitStatus) -> str:
        if any(ADDRESS_IN_USE_TEXT in line for line in self._tail):
            # Taken between our check and the child's bind: the same sentence.
            return str(PortInUseError(self._listening_port))
        last = next((line.strip() for line in reversed(self._tail) if line.strip()), None)
        if exit_status == QProcess.ExitStatus.CrashExit:
            how = "the server crashed"
        else:
            how = f"the server exited with code {exit_code}"
        return f"{how}: {last}" if last else how


async def stop_quietly(controller: LocalIndexController) -> None:
    """Stop at shutdown; a failure to stop must not keep the app from quitting."""
    with contextlib.suppress(LocalIndexError):
        await controller.stop()
