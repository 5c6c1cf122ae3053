"""Show a dialog from a coroutine without a nested event loop.

QT-NOTES: ``QDialog.exec()`` inside a coroutine breaks every other task on
the qasync loop. ``open()`` and awaiting ``finished`` keeps one loop.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from pypidesk.gui.signals import next_emission


async def run_dialog(dialog: QDialog) -> bool:
    """Open ``dialog`` window-modal and wait; True if it was accepted.

    The caller reads the dialog's fields afterwards, then lets it go with
    ``deleteLater()``.
    """
    finished = next_emission(dialog.finished)
    dialog.open()
    (result,) = await finished
    return bool(result == QDialog.DialogCode.Accepted.value)
