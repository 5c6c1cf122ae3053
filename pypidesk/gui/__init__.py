"""The desktop app: PySide6 widgets over :mod:`pypidesk.client`, on a qasync event loop.

Never imports :mod:`pypidesk.index`: the local index runs as a child process
and is spoken to over HTTP, exactly like PyPI.
"""

import os

# qasync binds to whichever Qt module it finds first; every gui module imports
# qasync after this package's __init__ has run, so this pins it to PySide6.
os.environ.setdefault("QT_API", "pyside6")
