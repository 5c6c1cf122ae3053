"""packaging/caching-proxy/nginx.conf in front of a live index: reads survive the backend."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pypidesk.client.local_index import find_free_port
from tests.conftest import LiveServer

CONFIG_TEMPLATE = Path(__file__).parents[2] / "packaging" / "caching-proxy" / "nginx.conf"


def render_config(run_dir: Path, listen: int, backend: str) -> Path:
    text = CONFIG_TEMPLATE.read_text()
    # Worker processes drop to an unprivileged user when nginx starts as root;
    # the test's temp dirs belong to root, so keep the workers as root here.
    user_line = "user root;" if os.geteuid() == 0 else ""
    for placeholder, value in {
        "@USER_LINE@": user_line,
        "@RUN_DIR@": str(run_dir),
        "@CACHE_DIR@": str(run_dir / "cache"),
        "@LISTEN@": f"127.0.0.1:{listen}",
        "@BACKEND@": backend,
    }.items():
        text = text.replace(placeholder, value)
    assert "@" not in text.replace("$", "")  # every placeholder filled
    config = run_dir / "nginx.conf"
    config.write_text(text)
    return config


@pytest.fixture
def nginx_binary() -> str:
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide nginx (scripts/setup --test installs it)")
        pytest.skip("nginx is not installed")
    return binary


@pytest.fixture
def proxy(nginx_binary: str, live_server: LiveServer, tmp_path: Path) -> Iterator[str]:
    run_dir = tmp_path / "nginx"
    run_dir.mkdir()
    port = find_free_port()
    config = render_config(run_dir, port, f"127.0.0.1:{live_server.port}")
    process = subprocess.Popen(
        [nginx_binary, "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(url + "/_health", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, (run_dir / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_reads_are_cached_and_outlive_the_backend(proxy: str, live_server: LiveServer) -> None:
    json_accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    first = httpx.get(proxy + "/simple/")
    assert first.status_code == 200
    assert first.headers["x-cache-status"] == "MISS"
    assert httpx.get(proxy + "/simple/").headers["x-cache-status"] == "HIT"
    # Vary: Accept keeps the JSON variant apart from the HTML one.
    as_json = httpx.get(proxy + "/simple/", headers=json_accept)
    assert as_json.headers["content-type"] == "application/vnd.pypi.simple.v1+json"
    assert "x-cache-status" not in httpx.get(proxy + "/_health").headers  # never cached

    assert live_server.stop() == 0

    assert httpx.get(proxy + "/_health").status_code == 502
    down = httpx.get(proxy + "/simple/")
    assert down.status_code == 200
    assert down.text == first.text
    down_json = httpx.get(proxy + "/simple/", headers=json_accept)
    assert down_json.status_code == 200
    assert down_json.json() == as_json.json()
