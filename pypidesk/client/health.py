"""Is an index up? The first question the app asks of every index it shows."""

from __future__ import annotations

import dataclasses

import httpx

from pypidesk.client.errors import IndexHTTPError, IndexUnreachableError


@dataclasses.dataclass(frozen=True, slots=True)
class IndexHealth:
    version: str
    serial: int


async def check_health(client: httpx.AsyncClient, base_url: str) -> IndexHealth:
    """Ask ``base_url``'s ``/_health``; raise a :class:`ClientError` subclass on failure."""
    url = base_url.rstrip("/") + "/_health"
    try:
        response = await client.get(url)
    except httpx.TransportError as exc:
        raise IndexUnreachableError(url, str(exc) or type(exc).__name__) from exc
    if response.status_code != httpx.codes.OK:
        raise IndexHTTPError(url, response.status_code, response.reason_phrase)
    try:
        body = response.json()
        return IndexHealth(version=str(body["version"]), serial=int(body["serial"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexHTTPError(url, response.status_code, "not a pypidesk health answer") from exc
