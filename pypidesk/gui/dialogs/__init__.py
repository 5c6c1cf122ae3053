"""The window's dialogs, one per module, each behind an awaitable ``ask``-style function.

Never ``exec()``: a nested event loop breaks the other tasks on the qasync
loop. :func:`pypidesk.gui.dialogs.running.run_dialog` opens the dialog and
awaits its ``finished`` signal; every dialog goes through it (tests watch it).
"""
