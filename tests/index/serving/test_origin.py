"""Links from ``--public-url`` or the connection's own address, never ``Host``."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from pypidesk.index.app import create_app
from pypidesk.index.db.engine import Database
from pypidesk.index.serving.origin import PublicOrigin, origin_of, parse_public_url
from pypidesk.index.settings import ServerSettings
from tests.index import factories


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://pypi.example.org", ("https", b"pypi.example.org")),
        ("http://10.0.0.5:8080/", ("http", b"10.0.0.5:8080")),
        ("https://[2001:db8::1]:8443", ("https", b"[2001:db8::1]:8443")),
    ],
)
def test_public_urls(url: str, expected: tuple[str, bytes]) -> None:
    assert parse_public_url(url) == expected
    assert origin_of(url) == f"{expected[0]}://{expected[1].decode()}"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x.example",
        "https://",
        "pypi.example.org",
        "https://x.example/pypi",
        "https://x.example/?a=1",
        "https://x.example/#top",
        "https://user@x.example",
        "https://x.example:99999",
        "https://bücher.example",
    ],
)
def test_anything_but_an_origin_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"is not an http|must be only scheme://host\[:port\]"):
        parse_public_url(url)


def _host(origin: PublicOrigin, scope: dict[str, object]) -> tuple[object, bytes]:
    scope.setdefault("headers", [(b"host", b"evil.example"), (b"accept", b"*/*")])
    origin.apply(scope)
    headers = dict(scope["headers"])  # type: ignore[arg-type]
    assert b"evil.example" not in headers.values()
    return scope.get("scheme"), headers[b"host"]


def test_without_a_public_url_the_local_address_is_used() -> None:
    local = PublicOrigin(None)
    assert _host(local, {"scheme": "http", "server": ("127.0.0.1", 8000)}) == (
        "http",
        b"127.0.0.1:8000",
    )
    assert _host(local, {"scheme": "https", "server": ("::1", 443)}) == ("https", b"[::1]")
    assert _host(local, {"scheme": "http", "server": ("10.0.0.5", None)}) == ("http", b"10.0.0.5")
    # A Unix socket has no address: a name that leads nowhere else.
    assert _host(local, {"scheme": "http", "server": None}) == ("http", b"localhost")


def test_a_public_url_sets_scheme_and_host() -> None:
    public = PublicOrigin("https://pypi.example.org")
    scope = {"scheme": "http", "server": ("127.0.0.1", 8000)}
    assert _host(public, scope) == ("https", b"pypi.example.org")


def test_pages_link_to_the_public_url(server_settings: ServerSettings, database: Database) -> None:
    settings = ServerSettings(data_dir=server_settings.data_dir, public_url="https://pkgs.test")
    with database.write() as session:
        factories.publish(session, settings, "demo", "1.0")
    with TestClient(create_app(settings), base_url="http://index.test") as client:
        page = client.get("/simple/demo/", headers={"Host": "evil.test"}).text
        assert "https://pkgs.test/packages/" in page
        moved = client.post("/legacy", follow_redirects=False)
        assert moved.headers["location"] == "https://pkgs.test/legacy/"
