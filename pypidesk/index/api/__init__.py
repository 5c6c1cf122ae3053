"""The maintainer JSON API under ``/api/v1/``: what PyPI only offers as web pages.

Documented by the app's ``/openapi.json``. Routes are thin: they authenticate
(:mod:`.calls`), call one service function from ``pypidesk.index.manage`` or
``pypidesk.index.records.accounts`` inside one write transaction, and turn the result
into a pydantic model. Errors are ``{"message": ..., "code": ...}``.
"""

from __future__ import annotations

from fastapi import FastAPI

from pypidesk.index.api import account, errors, projects, token_routes
from pypidesk.index.api.common import router_options

PREFIX = "/api/v1"


def install(app: FastAPI) -> None:
    """Add the API's routes and its error shape to ``app``.

    The password limiter they use (``app.state.login_limiter``) is the app's:
    uploads and the reads of a private index count against the same budget.
    """
    errors.install(app, PREFIX)
    for module in (account, token_routes, projects):
        app.include_router(module.router, prefix=PREFIX, **router_options())
