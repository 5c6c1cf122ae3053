"""Rendering long descriptions in child processes, each render with a time limit.

:class:`WorkerRenderer` keeps up to ``workers`` children of
:mod:`pypidesk.index.upload.render_worker` and hands each render to an idle
one. A render that passes its time limit is stopped by killing its child
(the next render starts a fresh one); the caller gets :class:`RenderTimeout`.
The upload calls this before its write transaction, from an upload thread,
so neither the event loop nor the database waits for a render.

Children start on first use: a server that never sees a description never
loads docutils, pygments and cmarkgfm. Results are remembered by their text,
as the files of one release, and the releases of one project, usually carry
the same README.
"""

from __future__ import annotations

import functools
import select
import subprocess
import sys
import threading
from typing import IO, Protocol, cast

from pypidesk.index.upload.render_worker import READY, read_message, write_message

# Starting a child imports the renderers: about half a second, more on a busy machine.
START_TIMEOUT = 60.0


class RenderTimeout(Exception):  # noqa: N818 - an outcome the upload answers with a 400
    """The render did not finish within the time limit; its child was stopped."""


class RenderBusy(Exception):  # noqa: N818 - an outcome the upload answers with a 503
    """Every child stayed busy for as long as a render may take."""


class DescriptionRenderer(Protocol):
    """What the upload needs: HTML, None for a failed render, or one of the errors above."""

    timeout: float

    def render(self, description: str, content_type: str) -> str | None: ...


class _Child:
    """One render process and its pipes."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pypidesk.index.upload.render_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Its stderr is the server's: a crash of the renderer shows in the server log.
        )
        self._requests = cast(IO[bytes], self.process.stdin)
        self._answers = cast(IO[bytes], self.process.stdout)
        if self._answer(START_TIMEOUT) != READY:  # pragma: no cover - the child's own protocol
            raise RuntimeError("the description renderer did not start")

    def render(self, description: str, content_type: str, timeout: float) -> str | None:
        write_message(self._requests, [description, content_type])
        return cast(str | None, self._answer(timeout))

    def _answer(self, timeout: float) -> object:
        """The child's next answer; RenderTimeout if none begins within ``timeout``."""
        ready, _, _ = select.select([self._answers], [], [], timeout)
        if not ready:
            raise RenderTimeout
        # The child writes each answer whole: once it begins, the rest follows.
        [value] = cast(list[object], read_message(self._answers))
        return value

    def stop(self) -> None:
        """End the child at once (it may be mid-render) and reap it."""
        self.process.kill()
        self.process.wait()
        self._requests.close()
        self._answers.close()


class WorkerRenderer:
    """Renders in up to ``workers`` child processes, each render limited to ``timeout`` s."""

    def __init__(self, *, workers: int, timeout: float) -> None:
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        self._closed = False

    def render(self, description: str, content_type: str) -> str | None:
        """Sanitized HTML; None when the description failed to render."""
        return self._cached(description, content_type)

    # Failed renders are remembered too; time-outs are not (they may be the machine's load).
    @functools.lru_cache(maxsize=32)  # noqa: B019 - one renderer per server process
    def _cached(self, description: str, content_type: str) -> str | None:
        if not self._slots.acquire(timeout=self.timeout):
            raise RenderBusy
        try:
            child = self._take()
            try:
                html = child.render(description, content_type, self.timeout)
            except EOFError:
                # The child died mid-render (its memory limit, a crash in C code).
                child.stop()
                return None
            except BaseException:
                # Out of time (RenderTimeout), or interrupted: its state is unknown.
                child.stop()
                raise
            self._give_back(child)
            return html
        finally:
            self._slots.release()

    def _take(self) -> _Child:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Child()

    def _give_back(self, child: _Child) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(child)
                return
        child.stop()

    def close(self) -> None:
        """Stop the idle children; busy ones are stopped when their render returns."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for child in idle:
            child.stop()
