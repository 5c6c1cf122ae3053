"""Await a Qt signal from a coroutine without a nested event loop."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from PySide6.QtCore import SignalInstance


def next_emission(signal: SignalInstance) -> asyncio.Future[tuple[Any, ...]]:
    """A future resolved with the arguments of ``signal``'s next emission.

    ``qtbot.waitSignal`` and ``QDialog.exec`` spin a nested loop, which breaks
    every other task on the qasync loop ("Cannot enter into task").

    The connection is dropped as soon as the future is done, cancelled
    included: a connection left behind would keep a reference cycle through
    the QObject alive, and Python's cycle collector may then destroy that
    QObject on whichever thread it happens to run (an executor thread, say),
    which crashes Qt.
    """
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def _resolve(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    def _disconnect(_future: asyncio.Future[tuple[Any, ...]]) -> None:
        # Already gone if the QObject itself was deleted first.
        with contextlib.suppress(RuntimeError, TypeError):
            signal.disconnect(_resolve)

    signal.connect(_resolve)
    future.add_done_callback(_disconnect)
    return future
