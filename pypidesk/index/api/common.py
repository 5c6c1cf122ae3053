"""What every API router shares: the read-only guard, documented errors, auth schemes."""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from fastapi.security import HTTPBasic, HTTPBearer
from starlette.requests import HTTPConnection

from pypidesk.index.api.calls import require_writable
from pypidesk.index.api.errors import documented

ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429)


class _BasicScheme(HTTPBasic):
    """Documents HTTP Basic in /openapi.json; the header itself is read by
    :func:`pypidesk.index.api.calls.authenticated` (FastAPI's own parser refuses
    non-ASCII passwords)."""

    async def __call__(self, request: HTTPConnection) -> None:
        return None


class _BearerScheme(HTTPBearer):
    """Documents ``Authorization: Bearer pypi-...`` in /openapi.json."""

    async def __call__(self, request: HTTPConnection) -> None:
        return None


basic_scheme = _BasicScheme(
    scheme_name="password", description="Username and password (or __token__ and a token)."
)
bearer_scheme = _BearerScheme(scheme_name="token", description="An API token, pypi-...")

# Routes that need a signed-in user list these so /openapi.json shows the schemes.
AUTHENTICATED = [Depends(basic_scheme), Depends(bearer_scheme)]


def router_options() -> dict[str, Any]:
    return {
        "dependencies": [Depends(require_writable)],
        "responses": documented(*ERROR_STATUSES),
    }
