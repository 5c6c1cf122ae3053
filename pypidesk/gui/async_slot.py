"""qasync's ``asyncSlot`` with a type mypy can check (qasync ships no type hints).

A slot decorated with it starts the coroutine as a task on the qasync loop;
an exception in it reaches ``sys.excepthook`` (pytest-qt fails the test).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, cast

import qasync

SlotFunction = TypeVar("SlotFunction", bound=Callable[..., Coroutine[Any, Any, None]])


def async_slot(*types: type) -> Callable[[SlotFunction], SlotFunction]:
    """``@async_slot()`` over an ``async def`` method, as ``@asyncSlot()`` would."""
    return cast("Callable[[SlotFunction], SlotFunction]", qasync.asyncSlot(*types))
