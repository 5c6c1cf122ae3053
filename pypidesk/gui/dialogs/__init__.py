"""The window's dialogs, one per module, each behind an awaitable ``ask``-style function.

Never ``exec()``: a nested event loop breaks the other tasks on the qasync
loop. :func:`run_dialog` opens the dialog and awaits its ``finished`` signal.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from pypidesk.gui.signals import next_emission


async def run_dialog(dialog: QDialog) -> bool:
    """Show ``dialog`` window-modal and wait until it closes; True if accepted."""
    finished = next_emission(dialog.finished)
    dialog.open()
    (result,) = await finished
    return bool(result == QDialog.DialogCode.Accepted.value)
