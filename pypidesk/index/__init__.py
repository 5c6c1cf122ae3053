"""The package index server: an ASGI app, wire-compatible with PyPI.

Nothing here imports Qt or :mod:`pypidesk.client`; the server deploys alone
(``tests/test_layers.py`` checks it). Entry points:
:func:`pypidesk.index.app.create_app` and
:class:`pypidesk.index.settings.ServerSettings`.

One subpackage per domain (``read``, ``upload``, ``api``, ``manage``,
``records``, ``auth``, ``serving``, ``admin``, ``db``). At this level sit only
what all of them share: the app's assembly (``app``), the settings, the file
store (``storage``, used by uploads, reads and start-up alike) and the roots
of the error tree (``errors``, which every subpackage raises from). The PyPI
behaviour the server follows is described in docs/pypi-behaviour.md.
"""
