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

import select
import subprocess
import sys
import threading
from collections import OrderedDict
from concurrent.futures import Future
from typing import IO, Protocol, cast

from pypidesk.index.upload.render_worker import read_message, write_message

# Starting a child imports the renderers: about half a second, more on a busy machine.
START_TIMEOUT = 60.0
# How long a render may wait for a free child before the upload gets a 503: long
# enough for a burst of uploads (twine sends a release's files at once) to queue.
QUEUE_TIMEOUT = 30.0
# Outcomes remembered, by description and content type.
REMEMBERED = 32


class RenderTimeout(Exception):  # noqa: N818 - an outcome the upload answers with a 400
    """The render did not finish within the time limit; its child was stopped."""


class RenderBusy(Exception):  # noqa: N818 - an outcome the upload answers with a 503
    """Every child stayed busy for as long as a render may wait (``QUEUE_TIMEOUT``)."""


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
        try:
            self._answer(START_TIMEOUT)  # READY, once the renderers are imported
        except BaseException:  # pragma: no cover - a broken installation: no child can start
            self.stop()
            raise

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

    def __init__(
        self, *, workers: int, timeout: float, queue_timeout: float = QUEUE_TIMEOUT
    ) -> None:
        self.timeout = timeout
        self._queue_timeout = queue_timeout
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        self._lock = threading.Lock()
        self._closed = False
        # Failed renders are remembered too; time-outs are not (they may be the machine's load).
        self._done: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        # Renders under way: an upload of the same text waits for their outcome.
        self._pending: dict[tuple[str, str], Future[str | None]] = {}

    def render(self, description: str, content_type: str) -> str | None:
        """Sanitized HTML; None when the description failed to render.

        Concurrent renders of the same text (the files of one release, sent
        at once) share one render and its outcome.
        """
        key = (description, content_type)
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            pending = self._pending.get(key)
            if pending is None:
                pending = self._pending[key] = Future()
                owner = True
            else:
                owner = False
        if not owner:
            return pending.result()
        try:
            html = self._render(description, content_type)
        except BaseException as exc:
            pending.set_exception(exc)
            raise
        finally:
            with self._lock:
                del self._pending[key]
        pending.set_result(html)
        with self._lock:
            self._done[key] = html
            if len(self._done) > REMEMBERED:
                self._done.popitem(last=False)
        return html

    def _render(self, description: str, content_type: str) -> str | None:
        if not self._slots.acquire(timeout=self._queue_timeout):
            raise RenderBusy
        try:
            child = self._take()
            try:
                html = child.render(description, content_type, self.timeout)
            except (EOFError, BrokenPipeError):
                # The child died mid-render (its memory limit, a crash in C code).
                self._discard(child)
                return None
            except BaseException:
                # Out of time (RenderTimeout), or interrupted: its state is unknown.
                self._discard(child)
                raise
            self._give_back(child)
            return html
        finally:
            self._slots.release()

    def _take(self) -> _Child:
        """An idle child that is still alive, or a new one."""
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.process.poll() is None:
                    self._busy.add(child)
                    return child
                child.stop()  # ended while idle (the OOM killer, an operator)
        child = _Child()
        with self._lock:
            self._busy.add(child)
        return child

    def _discard(self, child: _Child) -> None:
        with self._lock:
            self._busy.discard(child)
        child.stop()

    def _give_back(self, child: _Child) -> None:
        with self._lock:
            self._busy.discard(child)
            if not self._closed:
                self._idle.append(child)
                return
        child.stop()

    def close(self) -> None:
        """Stop every child, busy ones too: their renders end as failed."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = list(self._busy)
        for child in idle:
            child.stop()
        for child in busy:
            # Its render thread is reading the pipes: it sees the end, and stops the child.
            child.process.kill()
