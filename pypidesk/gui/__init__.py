"""The desktop app: PySide6 widgets over :mod:`pypidesk.client`, on a qasync event loop.

Never imports :mod:`pypidesk.index`: the local index runs as a child process
and is spoken to over HTTP, exactly like PyPI.
"""
