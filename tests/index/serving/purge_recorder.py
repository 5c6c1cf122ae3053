"""A stand-in caching proxy on a loopback port: records each purge request it gets.

It answers with the statuses it is told to (200 once the list runs out), and
can hold its answers until released, to play a slow proxy.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]


class PurgeRecorder:
    def __init__(self, statuses: Iterator[int] | None = None) -> None:
        self.received: list[Received] = []
        self.statuses = statuses or iter(())
        self.release = threading.Event()
        self.release.set()
        self.changed = threading.Condition()
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                with recorder.changed:
                    recorder.received.append(
                        Received(self.command, self.path, dict(self.headers.items()))
                    )
                    recorder.changed.notify_all()
                    status = next(recorder.statuses, 200)
                recorder.release.wait()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PURGE = do_GET = _answer  # noqa: N815 - http.server's naming

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The requests received, once there are at least ``count`` of them."""
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def close(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
