"""One place where HTTP failures become the client's own errors, quoting the server.

Every request of the client library goes through :func:`send`, so a refused
connection, a timeout and a 4xx all reach the user as a :class:`ClientError`
whose message is the index's own text: the maintainer API's JSON
``{"message": ...}``, or the reason phrase PyPI puts its upload errors in.
"""

from __future__ import annotations

from collections.abc import Collection
from http import HTTPStatus
from typing import Any

import httpx

from pypidesk.client.errors import (
    AuthenticationError,
    IndexHTTPError,
    IndexUnreachableError,
    NotFoundError,
)

# Longest slice of a plain-text or HTML error body quoted in a message.
MAX_QUOTED_BODY = 300


def server_message(response: httpx.Response) -> str:
    """The most specific text the server gave for a failed response."""
    content_type = response.headers.get("content-type", "")
    if content_type.startswith(("application/json", "application/problem+json")):
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            for key in ("message", "detail"):
                if isinstance(body.get(key), str):
                    return str(body[key]) + _more_errors(body, str(body[key]))
    reason = response.reason_phrase
    try:
        standard = HTTPStatus(response.status_code).phrase
    except ValueError:
        standard = ""
    # PyPI (and pypidesk) put the error text in the reason phrase.
    if reason and reason != standard:
        return reason
    if content_type.startswith("text/plain") and response.text.strip():
        return response.text.strip()[:MAX_QUOTED_BODY]
    return reason or standard or "no reason given"


def _more_errors(body: dict[str, Any], detail: str) -> str:
    """An RFC 9457 problem's further ``errors`` (PEP 694 lists several at once)."""
    errors = body.get("errors")
    if not isinstance(errors, list):
        return ""
    messages = [
        f"{e.get('source')}: {e['message']}"
        for e in errors
        if isinstance(e, dict) and isinstance(e.get("message"), str) and e["message"] != detail
    ]
    return f" ({'; '.join(messages)})" if messages else ""


def error_for(response: httpx.Response) -> IndexHTTPError:
    """The :class:`IndexHTTPError` subclass that fits ``response``'s status."""
    url = str(response.request.url)
    status = response.status_code
    message = server_message(response)
    if status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
        return AuthenticationError(url, status, message)
    if status == HTTPStatus.NOT_FOUND:
        return NotFoundError(url, status, message)
    return IndexHTTPError(url, status, message)


async def send(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    expect: Collection[int] = (200,),
    **kwargs: Any,
) -> httpx.Response:
    """Send one request; raise a :class:`ClientError` unless the status is in ``expect``."""
    try:
        response = await http.request(method, url, **kwargs)
    except httpx.TransportError as exc:
        raise IndexUnreachableError(url, str(exc) or type(exc).__name__) from exc
    if response.status_code not in expect:
        raise error_for(response)
    return response
