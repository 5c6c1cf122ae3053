"""The client's address behind reverse proxies the operator trusts (``--trusted-proxy``).

Behind a proxy every connection comes from the proxy, so per-address limits
would count all clients as one (issue 12, finding 7). The proxy names the
client in ``Forwarded`` (RFC 7239) or ``X-Forwarded-For``; those headers are
believed only on connections from a listed proxy, since anyone else can write
them. The list is read right to left: each hop was added by the one after it,
so the first address that is not a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, MutableMapping
from typing import Any

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR networks; ValueError names the first that is neither."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def _address(text: str) -> Address | None:
    """An address from a header hop: ``1.2.3.4``, ``"[2001:db8::1]:80"``, ``1.2.3.4:80``."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _forwarded_for(value: str) -> list[str]:
    """The ``for=`` of each element of an RFC 7239 ``Forwarded`` header, in order."""
    hops = []
    for element in value.split(","):
        for pair in element.split(";"):
            key, _, found = pair.partition("=")
            if key.strip().lower() == "for":
                hops.append(found)
    return hops


def _hops(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    forwarded: list[str] = []
    x_forwarded: list[str] = []
    for key, value in headers:
        if key == b"forwarded":
            forwarded += _forwarded_for(value.decode("latin-1"))
        elif key == b"x-forwarded-for":
            x_forwarded += value.decode("latin-1").split(",")
    # The standard header wins where a proxy sends both.
    return forwarded or x_forwarded


class TrustedProxies:
    """Finds the client of a request that came through trusted proxies."""

    def __init__(self, networks: tuple[Network, ...]) -> None:
        self._networks = networks

    def trusts(self, address: Address) -> bool:
        return any(address in network for network in self._networks)

    def client(self, peer: str, headers: Iterable[tuple[bytes, bytes]]) -> str:
        """The client's address for a connection from ``peer`` carrying ``headers``."""
        current = _address(peer)
        if current is None or not self.trusts(current):
            return peer
        for hop in reversed(_hops(headers)):
            found = _address(hop)
            if found is None:
                # "unknown" or an obfuscated name: the last known address stands.
                break
            current = found
            if not self.trusts(current):
                break
        return str(current)

    def rewrite(self, scope: MutableMapping[str, Any]) -> None:
        """Put the real client into ``scope["client"]``, where every route reads it."""
        peer = scope.get("client")
        if peer:
            scope["client"] = (self.client(peer[0], scope["headers"]), peer[1])
