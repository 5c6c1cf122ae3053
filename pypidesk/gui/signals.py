"""Await a Qt signal from a coroutine without a nested event loop."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import SignalInstance


def next_emission(signal: SignalInstance) -> asyncio.Future[tuple[Any, ...]]:
    """A future resolved with the arguments of ``signal``'s next emission.

    ``qtbot.waitSignal`` and ``QDialog.exec`` spin a nested loop, which breaks
    every other task on the qasync loop ("Cannot enter into task").
    """
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def _resolve(*args: Any) -> None:
        signal.disconnect(_resolve)
        if not future.done():
            future.set_result(args)

    signal.connect(_resolve)
    return future
