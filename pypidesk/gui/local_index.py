"""The bundled local index as a child process, with a state the window can show.

A ``QProcess`` rather than asyncio's subprocess support: it is driven by Qt's
own event loop, so output and exit arrive as signals without extra threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import logging
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import cast

import httpx
from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from pypidesk.client.errors import LocalIndexError
from pypidesk.client.local_index import (
    LOOPBACK,
    find_free_port,
    serve_command,
    wait_until_healthy,
)
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


class LocalIndexController(QObject):
    """Starts, watches and stops ``pypidesk serve`` on a free loopback port."""

    status_changed = Signal(object)  # LocalIndexStatus
    output = Signal(str)  # one line of the child's log
    #: (username, token): the first start made an account and token for the user.
    account_ready = Signal(str, str)

    def __init__(
        self,
        data_dir: Path,
        http: httpx.AsyncClient,
        *,
        startup_timeout: float = 60.0,
        stop_grace: float = 5.0,
        command: Callable[[Path, int], list[str]] = serve_command,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._http = http
        self._startup_timeout = startup_timeout
        self._stop_grace = stop_grace
        self._command = command
        self._process: QProcess | None = None
        self._partial_line = ""
        self._tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._stopping = False
        self._status = LocalIndexStatus(IndexState.STOPPED)

    @property
    def status(self) -> LocalIndexStatus:
        return self._status

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def log_tail(self) -> list[str]:
        return list(self._tail)

    def _set_status(self, status: LocalIndexStatus) -> None:
        self._status = status
        log.info("%s", status.describe())
        self.status_changed.emit(status)

    async def start(self) -> LocalIndexStatus:
        """Start the child and wait until it answers ``/_health`` (or fails)."""
        if self._status.state in (IndexState.STARTING, IndexState.RUNNING):
            return self._status
        port = find_free_port()
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
            await asyncio.wait({healthy, ended}, return_when=asyncio.FIRST_COMPLETED)
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
        else:
            reason = str(healthy.exception())
            self._stopping = True
            await self._terminate(process)
            self._set_status(LocalIndexStatus(IndexState.FAILED, url=url, reason=reason))
        return self._status

    async def stop(self) -> None:
        """Stop the child: SIGTERM, a grace period, then SIGKILL."""
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
        self._tail.append(line)
        self.output.emit(line)

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
