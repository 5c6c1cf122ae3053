"""The client behind trusted proxies: believed only from them, read right to left."""

from __future__ import annotations

import pytest

from pypidesk.index.serving.forwarded import TrustedProxies, parse_networks

PROXIES = TrustedProxies(parse_networks(["10.0.0.0/8", "::1", " 192.0.2.1 "]))


def _client(peer: str, *headers: tuple[str, str]) -> str:
    return PROXIES.client(peer, [(k.encode(), v.encode("latin-1")) for k, v in headers])


def test_networks_must_be_addresses() -> None:
    with pytest.raises(ValueError, match=r"proxy\.example"):
        parse_networks(["proxy.example"])


def test_headers_from_anyone_else_are_ignored() -> None:
    assert _client("203.0.113.5", ("x-forwarded-for", "198.51.100.1")) == "203.0.113.5"
    # A peer that is no address at all (a test client's name) is left as it is.
    assert _client("testclient", ("x-forwarded-for", "198.51.100.1")) == "testclient"


def test_the_first_untrusted_hop_from_the_right_is_the_client() -> None:
    header = ("x-forwarded-for", "198.51.100.66, 203.0.113.5, 10.1.2.3")
    assert _client("192.0.2.1", ("host", "x.example"), header) == "203.0.113.5"
    # Every hop trusted: the leftmost stands.
    assert _client("192.0.2.1", ("x-forwarded-for", "10.0.0.2, 10.0.0.3")) == "10.0.0.2"
    # No header: the proxy itself.
    assert _client("192.0.2.1") == "192.0.2.1"


def test_forwarded_wins_and_its_forms_are_read() -> None:
    assert (
        _client(
            "::1",
            ("x-forwarded-for", "198.51.100.1"),
            ("forwarded", 'for=203.0.113.9;proto=https, for="[2001:db8::7]:4711";by=10.0.0.1'),
        )
        == "2001:db8::7"
    )
    assert _client("::1", ("forwarded", "for=203.0.113.9:80")) == "203.0.113.9"
    assert _client("::1", ("forwarded", "proto=https")) == "::1"


def test_an_unknown_hop_stops_the_walk() -> None:
    header = ("forwarded", "for=198.51.100.1, for=unknown, for=10.0.0.4")
    assert _client("192.0.2.1", header) == "10.0.0.4"


def test_rewrite_puts_the_client_into_the_scope() -> None:
    scope = {"client": ("192.0.2.1", 5000), "headers": [(b"x-forwarded-for", b"203.0.113.5")]}
    PROXIES.rewrite(scope)
    assert scope["client"] == ("203.0.113.5", 5000)
    no_client = {"client": None, "headers": []}
    PROXIES.rewrite(no_client)
    assert no_client["client"] is None
