"""Run Python's cycle collector on the GUI thread only.

Reference cycles through QObjects are common (qasync's socket notifiers and
timers hold closures that point back at them). Python collects cycles in
whichever thread happens to allocate when a threshold is crossed: an executor
thread resolving a host name, say. A QObject destroyed on a thread other than
its own crashes Qt. So automatic collection is switched off while the app runs
and a timer on the GUI thread does the same work, by the same thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500


class GuiThreadGarbageCollector(QObject):
    """While started, cycles are only ever collected by this object's timer."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def check(self) -> int:
        """Collect the oldest generation whose threshold has been crossed; what was freed."""
        thresholds = gc.get_threshold()
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                return gc.collect(generation)
        return 0
