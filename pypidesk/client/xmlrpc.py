"""PyPI's XML-RPC ``user_packages``: the one public way to list a PyPI user's projects.

PyPI deprecated XML-RPC but still answers ``user_packages(username)`` with
``[[role, project], ...]``; nothing else in its public APIs says which projects
are someone's. The stdlib builds and reads the XML; the request goes through
:func:`send` like every other.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any

import httpx

from pypidesk.client.errors import IndexHTTPError
from pypidesk.client.http import send


async def call(http: httpx.AsyncClient, url: str, method: str, *params: Any) -> Any:
    """One XML-RPC call; a fault becomes an :class:`IndexHTTPError` quoting it."""
    body = xmlrpc.client.dumps(params, method, allow_none=False).encode()
    response = await send(http, "POST", url, content=body, headers={"Content-Type": "text/xml"})
    try:
        (result,), _method = xmlrpc.client.loads(response.content)
    except xmlrpc.client.Fault as fault:
        raise IndexHTTPError(url, response.status_code, str(fault.faultString)) from fault
    except Exception as exc:  # expat's ExpatError and ValueError alike: not XML-RPC
        raise IndexHTTPError(url, response.status_code, "not an XML-RPC answer") from exc
    return result


async def user_packages(http: httpx.AsyncClient, url: str, username: str) -> list[tuple[str, str]]:
    """``(role, project)`` pairs of ``username``'s projects."""
    result = await call(http, url, "user_packages", username)
    return [(str(role), str(name)) for role, name in result]
