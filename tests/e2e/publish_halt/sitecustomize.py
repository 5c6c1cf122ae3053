"""Test-only instrumentation of a ``pypidesk serve`` child: halt a publish at a chosen point.

Put this directory first on the child's PYTHONPATH and set
``PYPIDESK_TEST_PUBLISH_HALT`` to ``before-commit`` (after the first staged
file is taken in, inside the publish transaction) or ``after-commit`` (the
transaction committed, no file moved into place yet). The child writes the
point's name to the FIFO ``PYPIDESK_TEST_PUBLISH_FIFO`` and stops there, so
the test can SIGKILL it at exactly that moment. Nothing of pypidesk changes.
"""

from __future__ import annotations

import os
import threading
from typing import Any

_POINT = os.environ.get("PYPIDESK_TEST_PUBLISH_HALT")
_FIFO = os.environ.get("PYPIDESK_TEST_PUBLISH_FIFO")


def _halt() -> None:
    assert _POINT is not None
    assert _FIFO is not None
    with open(_FIFO, "w") as fifo:  # noqa: PTH123 - a FIFO, opened once
        fifo.write(_POINT)
    threading.Event().wait()  # until SIGKILL


if _POINT == "before-commit":
    from pypidesk.index.staging import files

    _completed_core = files._completed_core

    def _first_file_then_halt(*args: Any) -> Any:
        _completed_core(*args)
        _halt()

    files._completed_core = _first_file_then_halt
elif _POINT == "after-commit":
    from pypidesk.index import storage

    def _halt_instead(self: Any, path: str) -> None:
        _halt()

    storage._AdoptedFile.commit = _halt_instead  # type: ignore[method-assign]
