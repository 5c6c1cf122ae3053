"""Where clients reach the index: ``--public-url``, never the request's ``Host``.

Absolute links (file URLs in the Simple and JSON APIs, the ``/legacy``
redirect, Starlette's trailing-slash redirects) are built from the request's
``Host`` header and scheme. Any client chooses its ``Host``, and a cache in
front would then serve its links to everyone (issue 12, finding 8). So the
app overwrites both, before any route sees them, with the configured public
URL, or by default with the address the connection arrived on: what the
server was bound to, which no client can forge.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import MutableMapping
from typing import Any

_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_public_url(url: str) -> tuple[str, bytes]:
    """(scheme, host[:port]) of a public URL; ValueError unless it is just an origin.

    A path is refused: the routes answer at the root, so a prefix would give
    links that lead nowhere.
    """
    not_a_url = ValueError(f"{url!r} is not an http:// or https:// URL of ASCII")
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise not_a_url
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"{url!r} must be only scheme://host[:port]")
    try:
        _ = parts.port
        return parts.scheme, parts.netloc.encode("ascii")
    except ValueError:  # a bad port, or a host that is not ASCII (IDNA is not decoded)
        raise not_a_url from None


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a valid public URL, without a trailing slash."""
    scheme, netloc = parse_public_url(url)
    return f"{scheme}://{netloc.decode('ascii')}"


def _local_netloc(scope: MutableMapping[str, Any]) -> bytes:
    """host[:port] of the socket the connection arrived on."""
    server = scope.get("server")
    if not server:
        return b"localhost"
    host, port = server[0], server[1]
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS.get(scope.get("scheme", "http")):
        return str(host).encode("ascii")
    return f"{host}:{port}".encode("ascii")


class PublicOrigin:
    """Rewrites each request's scheme and ``Host`` to where clients reach the index."""

    def __init__(self, public_url: str | None) -> None:
        self._fixed = None if public_url is None else parse_public_url(public_url)

    def apply(self, scope: MutableMapping[str, Any]) -> None:
        if self._fixed is None:
            netloc = _local_netloc(scope)
        else:
            scope["scheme"], netloc = self._fixed
        headers = [item for item in scope["headers"] if item[0] != b"host"]
        headers.append((b"host", netloc))
        scope["headers"] = headers
