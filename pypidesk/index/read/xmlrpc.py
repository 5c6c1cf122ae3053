"""The XML-RPC methods mirrors still call: ``changelog_last_serial``,
``changelog_since_serial`` and ``list_packages_with_serial``.

Older bandersnatch (< 8) and devpi mirror through these three; PyPI keeps them
and disables the rest with a fault that says what to use instead. Encoding and
decoding use the standard library's :mod:`xmlrpc.client`.
"""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Callable
from typing import Any
from xml.parsers.expat import ExpatError

from sqlalchemy.orm import Session

from pypidesk.index.read.formats import unix_time
from pypidesk.index.read.records import global_serial, journal_since, project_listing

# PyPI answers at most this many journal entries per call; clients page on.
CHANGELOG_LIMIT = 50_000

# Fault codes of the XML-RPC error conventions PyPI's pyramid_rpc follows.
PARSE_ERROR = -32700
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
APPLICATION_ERROR = -32500

_DOCS = "https://warehouse.pypa.io/api-reference/"

_DISABLED = {
    "list_packages": "Use Simple API instead.",
    "package_releases": "Use JSON or Simple API instead.",
    "release_urls": "Use JSON or Simple API instead.",
    "release_data": "Use JSON or Simple API instead.",
    "package_data": "Use JSON or Simple API instead.",
    "package_urls": "Use JSON or Simple API instead.",
    "changelog": "Use changelog_since_serial instead.",
    "search": "PyPI no longer supports 'pip search' (or XML-RPC search). "
    "Please use https://pypi.org/search (via a browser) instead.",
    "top_packages": "Use BigQuery instead.",
    "system.multicall": "Call methods one at a time instead.",
}


def _changelog_last_serial(session: Session) -> int:
    return global_serial(session.connection())


def _changelog_since_serial(session: Session, since: int) -> list[list[Any]]:
    return [
        [
            entry.name,
            entry.version,
            unix_time(entry.submitted_at),
            entry.action,
            entry.id,
        ]
        for entry in journal_since(session, since, CHANGELOG_LIMIT)
    ]


def _list_packages_with_serial(session: Session) -> dict[str, int]:
    return dict(project_listing(session))


_METHODS: dict[str, tuple[Callable[..., Any], tuple[type, ...]]] = {
    "changelog_last_serial": (_changelog_last_serial, ()),
    "changelog_since_serial": (_changelog_since_serial, (int,)),
    "list_packages_with_serial": (_list_packages_with_serial, ()),
}


def _fault(code: int, message: str) -> bytes:
    return xmlrpc.client.dumps(xmlrpc.client.Fault(code, message), allow_none=True).encode()


def handle(body: bytes, session_factory: Callable[[], Any]) -> bytes:
    """Answer one XML-RPC request body with a response body (a result or a fault)."""
    try:
        params, method = xmlrpc.client.loads(body, use_builtin_types=True)
    except (ExpatError, xmlrpc.client.ResponseError, ValueError, TypeError):
        return _fault(PARSE_ERROR, "parse error; not well formed XML-RPC")
    if method in _DISABLED:
        return _fault(
            APPLICATION_ERROR,
            f"RuntimeError: This API has been disabled. {_DISABLED[method]} See {_DOCS}",
        )
    if method not in _METHODS:
        return _fault(
            METHOD_NOT_FOUND,
            f"method not found; {method!r} is not supported by this index "
            "(available: changelog_last_serial, changelog_since_serial, "
            "list_packages_with_serial)",
        )
    function, types = _METHODS[method]
    if len(params) != len(types) or not all(
        isinstance(p, t) and not isinstance(p, bool) for p, t in zip(params, types, strict=False)
    ):
        expected = ", ".join(t.__name__ for t in types) or "no arguments"
        return _fault(INVALID_PARAMS, f"client error; {method} takes ({expected})")
    with session_factory() as session:
        result = function(session, *params)
    return xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True).encode()
