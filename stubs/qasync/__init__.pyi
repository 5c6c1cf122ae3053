# qasync ships neither inline types nor a stub package. These stubs declare
# only what pypidesk calls (pypidesk/gui, tests/gui), as qasync 0.28 behaves.
import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from PySide6.QtCore import QCoreApplication

_P = ParamSpec("_P")
_T = TypeVar("_T")

class QEventLoop(asyncio.SelectorEventLoop):
    def __init__(
        self,
        app: QCoreApplication | None = None,
        set_running_loop: bool = False,
        already_running: bool = False,
    ) -> None: ...

# The arguments are Qt's @Slot arguments (types, name=, result=). The slot
# schedules the coroutine as a task on the running loop and returns the task.
def asyncSlot(
    *args: object, **kwargs: object
) -> Callable[[Callable[_P, Coroutine[Any, Any, _T]]], Callable[_P, asyncio.Task[_T]]]: ...
def asyncClose(fn: Callable[_P, Coroutine[Any, Any, object]]) -> Callable[_P, None]: ...

# asyncio.run on a QEventLoop over the running (or a new) QApplication.
def run(main: Coroutine[Any, Any, _T], *, debug: bool | None = None) -> _T: ...
