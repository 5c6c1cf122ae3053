"""qasync's ``asyncSlot`` with types, so pages that use it pass ``mypy --strict``.

A Qt slot that starts a coroutine on the qasync loop; an exception it raises
goes to ``sys.excepthook`` (the app logs it; pytest-qt fails the test).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import qasync  # type: ignore[import-untyped]

Owner = TypeVar("Owner")


def async_slot(
    method: Callable[[Owner], Coroutine[Any, Any, None]],
) -> Callable[..., None]:
    """Decorate ``async def method(self)`` to be connected to a signal."""
    slot: Callable[..., None] = qasync.asyncSlot()(method)
    return slot
