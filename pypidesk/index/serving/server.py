"""Run the index under uvicorn, exiting 0 when asked to stop."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Any

import uvicorn

from pypidesk.index.app import create_app
from pypidesk.index.serving.deadlines import DeadlineHttpProtocol
from pypidesk.index.serving.workers import FACTORY, SETTINGS_ENV, settings_to_json
from pypidesk.index.settings import ServerSettings

HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises SIGTERM once its graceful shutdown is done, so the
        # process would report death by signal; a server that stopped as asked
        # exits 0 instead, which is what service managers and the app expect.
        previous = {sig: signal.signal(sig, self._on_signal) for sig in HANDLED_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.handle_exit(signum, frame)


def run_server(
    settings: ServerSettings, host: str, port: int, log_level: str, workers: int = 1
) -> int:
    """Serve until SIGINT/SIGTERM; the exit code for the process.

    On a start-up failure (port taken, records unreachable) uvicorn itself logs
    the reason and exits with its STARTUP_FAILURE code, 3.
    """
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": log_level,
        # The desktop app and PyPI's clients send no proxy headers; trusting them
        # by default would let any client spoof its address in the history.
        "proxy_headers": False,
        "server_header": False,
        # Upload errors travel in the HTTP reason phrase, as on PyPI; headers
        # and body pieces have deadlines (the app carries them, so that each
        # worker process finds them too).
        "http": DeadlineHttpProtocol,
        "timeout_keep_alive": settings.keep_alive_timeout,
        # Above this many open connections, requests get 503 at once.
        "limit_concurrency": settings.max_connections,
    }
    if workers > 1:
        # Workers import the app factory and read the settings back from here;
        # uvicorn's supervisor handles the signals and returns when stopped.
        os.environ[SETTINGS_ENV] = settings_to_json(settings)
        uvicorn.run(FACTORY, factory=True, workers=workers, **options)
        return 0
    _Server(uvicorn.Config(create_app(settings), **options)).run()
    return 0
