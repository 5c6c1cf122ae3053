"""One-time costs of the process, paid while the window is idle instead of at a keystroke.

Measured on the Projects page with 10,000 projects (tests/benchmarks/
bench_projects_page.py), two things happen once per process, at whatever
moment first needs them:

- The first widget that Qt created itself (a scroll area's viewport, a
  layout's item) reaching Python makes PySide6 look for its most derived
  type, which builds every QtWidgets class it has not built yet, with their
  enums: about 70 enum classes, 15-25 ms on the GUI thread. Without the warm
  up, that landed on the first filter keystroke (31-36 ms against a 16 ms
  budget).
- httpx's first request imports anyio's asyncio backend (20-40 ms), which
  stalled the event loop in the middle of the first load.

:func:`warm_up` pays both right after the first paint, the type lookup on
the GUI thread (one short stall while nothing else is on screen yet) and the
import on a worker thread, where it holds the GIL only in short slices.
"""

from __future__ import annotations

import importlib
import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractScrollArea

#: Imported off the GUI thread. anyio is httpx's (httpcore's) backend on asyncio.
NETWORK_MODULES = ("anyio._backends._asyncio",)

_started = False


def warm_up() -> threading.Thread | None:
    """Start the warm-up once per process; the import thread, or None if started before.

    Call it after the first paint: the widget types are built on the next turn
    of the event loop, the imports start now on a daemon thread.
    """
    global _started  # noqa: PLW0603 - once per process, as the costs it pays
    if _started:
        return None
    _started = True
    QTimer.singleShot(0, build_widget_types)
    thread = threading.Thread(target=import_network_modules, name="pypidesk-warm-up", daemon=True)
    thread.start()
    return thread


def build_widget_types() -> None:
    """Let PySide6 build every QtWidgets type now (see the module doc)."""
    # A viewport is a plain QWidget that Qt made: handing it to Python is what
    # makes PySide6 resolve its type against every widget class.
    QAbstractScrollArea().viewport()


def import_network_modules() -> None:
    """Import what the first request would import on the GUI thread."""
    for name in NETWORK_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            # A later httpx may drop anyio: nothing to warm up then.
            continue
