"""The package index server: an ASGI app, wire-compatible with PyPI.

Nothing here imports Qt or :mod:`pypidesk.client`; the server deploys alone.
Entry points: :func:`pypidesk.index.app.create_app` and
:class:`pypidesk.index.settings.ServerSettings`.
"""
