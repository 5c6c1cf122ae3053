"""packaging/caching-proxy/ (nginx, Varnish) before a live index: reads survive the backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer
from tests.e2e.caching_proxies import PROXIES, CachingProxy


@pytest.fixture(params=sorted(PROXIES))
def proxy(
    request: pytest.FixtureRequest, live_server: LiveServer, tmp_path: Path
) -> Iterator[str]:
    running: CachingProxy = PROXIES[request.param](tmp_path / request.param)
    try:
        running.start(f"127.0.0.1:{live_server.port}")
        yield running.url
    finally:
        running.stop()


def test_reads_are_cached_and_outlive_the_backend(proxy: str, live_server: LiveServer) -> None:
    json_accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    first = httpx.get(proxy + "/simple/")
    assert first.status_code == 200
    assert first.headers["x-cache-status"] == "MISS"
    assert httpx.get(proxy + "/simple/").headers["x-cache-status"] == "HIT"
    # The JSON variant is kept apart from the HTML one.
    as_json = httpx.get(proxy + "/simple/", headers=json_accept)
    assert as_json.headers["content-type"] == "application/vnd.pypi.simple.v1+json"
    assert "x-cache-status" not in httpx.get(proxy + "/_health").headers  # never cached

    assert live_server.stop() == 0

    # nginx answers 502, Varnish 503.
    assert httpx.get(proxy + "/_health").status_code in (502, 503)
    down = httpx.get(proxy + "/simple/")
    assert down.status_code == 200
    assert down.text == first.text
    down_json = httpx.get(proxy + "/simple/", headers=json_accept)
    assert down_json.status_code == 200
    assert down_json.json() == as_json.json()
