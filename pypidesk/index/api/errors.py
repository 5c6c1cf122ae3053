"""One error shape for the API, ``{"message": ..., "code": ...}``, whatever failed.

Service refusals, authentication failures, FastAPI's own 404/405 and its
request validation (whose default body echoes the input, passwords
included) all become the same small JSON object. Only paths under the API
prefix are touched: the PyPI-compatible routes keep their own error forms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from pypidesk.index.api.schemas import ErrorBody
from pypidesk.index.errors import RefusedError

_CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_request",
    429: "rate_limited",
}


class ApiError(RefusedError):
    """A refusal decided in the API layer itself (authentication, rate limit, flags)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, headers=headers)


def error_response(
    status: int, message: str, code: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"message": message, "code": code},
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _validation_message(error: RequestValidationError) -> str:
    # Location and reason only: the offending input may be a password.
    parts = []
    for problem in error.errors()[:5]:
        location = ".".join(str(part) for part in problem.get("loc", ()))
        parts.append(f"{location}: {problem.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts) + "."


def _allowed_methods(request: Request) -> list[str]:
    """Every method the schema offers for this path.

    Starlette answers 405 from the first route whose path matches, so its own
    ``Allow`` names only that route's methods when GET and POST are two routes.
    """
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods.update(method.upper() for method in operations)
    return sorted(methods)


def install(app: FastAPI, prefix: str) -> None:
    """Register handlers that shape errors for paths under ``prefix`` only."""

    def ours(request: Request) -> bool:
        return request.url.path.startswith(prefix + "/")

    async def on_refused(_request: Request, exc: Exception) -> Response:
        # Service refusals (ManageError, AccountError, TokenScopeError...) and
        # the API's own (ApiError) alike: the class carries status and code.
        assert isinstance(exc, RefusedError)
        return error_response(exc.status, exc.message, exc.code, exc.headers)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if not ours(request):
            return await request_validation_exception_handler(request, exc)
        return error_response(422, _validation_message(exc), "invalid_request")

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not ours(request):
            return await http_exception_handler(request, exc)
        code = _CODE_BY_STATUS.get(exc.status_code, "error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return error_response(exc.status_code, str(exc.detail), code, headers)

    app.add_exception_handler(RefusedError, on_refused)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses, all with the error body."""
    return {
        status: {"model": ErrorBody, "description": _CODE_BY_STATUS[status]} for status in statuses
    }
