"""Child processes whose output streams line by line and that a Cancel really stops.

Builds and installs start grandchildren (pip in an isolated build env), so each
child leads its own process group and Cancel signals the whole group.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

LineSink = Callable[[str], None]
#: How long a stopped child gets between SIGTERM and SIGKILL.
GRACE_SECONDS = 5.0
#: How many lines of output a failure quotes.
TAIL_LINES = 15


class Finished:
    """A child's exit code and the last lines it printed."""

    def __init__(self, returncode: int, tail: list[str]) -> None:
        self.returncode = returncode
        self.tail = tail


async def run_streamed(
    args: Sequence[str],
    *,
    on_line: LineSink,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Finished:
    """Run ``args``, calling ``on_line`` with each line of its (merged) output.

    Cancelling the awaiting task stops the child's whole process group, waits
    for it, and re-raises: nothing keeps running after a Cancel.
    """
    child_env = dict(os.environ if env is None else env)
    # A Python child block-buffers a pipe (QT-NOTES): lines must arrive as printed.
    child_env["PYTHONUNBUFFERED"] = "1"
    process = await asyncio.create_subprocess_exec(
        *args,
        cwd=cwd,
        env=child_env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
        limit=1 << 20,
    )
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    assert process.stdout is not None  # PIPE was asked for
    try:
        while raw := await process.stdout.readline():
            line = raw.decode(errors="replace").rstrip("\r\n")
            tail.append(line)
            on_line(line)
        returncode = await process.wait()
    except asyncio.CancelledError:
        await stop(process)
        raise
    return Finished(returncode, list(tail))


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM to the child's group, then SIGKILL after :data:`GRACE_SECONDS`."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.shield(process.wait()), GRACE_SECONDS)
    except TimeoutError:  # pragma: no cover - only a child that ignores SIGTERM
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
