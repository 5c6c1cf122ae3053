"""Who is asking and what they may do: passwords, API tokens (macaroons) and their caveats.

The server secret that every token's key derives from lives here too. Nothing
in this package writes records beyond what a sign-in needs; the accounts and
the token rows themselves belong to :mod:`pypidesk.index.records`. PyPI's token
format and caveats: docs/pypi-behaviour.md, "API tokens".
"""
