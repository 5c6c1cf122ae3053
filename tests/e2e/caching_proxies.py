"""The configurations of packaging/caching-proxy/, run for real in front of a live index.

Each proxy is started from the very file an operator would use, with its
placeholders filled for a temporary directory and loopback ports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from pypidesk.client.local_index import find_free_port

PACKAGING = Path(__file__).parents[2] / "packaging" / "caching-proxy"


def find_binary(name: str, sbin: str) -> str:
    """The proxy's binary; CI must have it (scripts/setup --test installs it)."""
    binary = shutil.which(name) or (sbin if Path(sbin).exists() else None)
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide {name} (scripts/setup --test installs it)")
        pytest.skip(f"{name} is not installed")
    return binary


def fill(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    assert "@" not in text.replace("$", ""), "a placeholder is left"
    return text


class CachingProxy:
    """A proxy process on a loopback port; ``purge_args`` are the index's serve options."""

    name = ""
    purge_args: list[str]

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        self.port = find_free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = run_dir / "proxy.log"

    def command(self, backend: str) -> list[str]:
        raise NotImplementedError

    def start(self, backend: str) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(backend), stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(self.url + "/_health", timeout=1)
                return
            except httpx.TransportError:
                assert self.process.poll() is None, self.log()
                assert time.monotonic() < deadline, f"{self.name} did not start"
                time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


class Nginx(CachingProxy):
    """packaging/caching-proxy/nginx.conf, purged by URL at /_purge."""

    name = "nginx"

    def __init__(self, run_dir: Path) -> None:
        super().__init__(run_dir)
        # Links in cached pages point at the proxy, so files outlive the backend too.
        self.purge_args = ["--purge-path-url", f"{self.url}/_purge", "--public-url", self.url]

    def command(self, backend: str) -> list[str]:
        binary = find_binary("nginx", "/usr/sbin/nginx")
        # Worker processes drop to an unprivileged user when nginx starts as root;
        # the test's temp dirs belong to root, so keep the workers as root here.
        user_line = "user root;" if os.geteuid() == 0 else ""
        config = self.run_dir / "nginx.conf"
        config.write_text(
            fill(
                PACKAGING / "nginx.conf",
                {
                    "@USER_LINE@": user_line,
                    "@RUN_DIR@": str(self.run_dir),
                    "@CACHE_DIR@": str(self.run_dir / "cache"),
                    "@LISTEN@": f"127.0.0.1:{self.port}",
                    "@BACKEND@": backend,
                    "@PURGE_ALLOW@": "",
                },
            )
        )
        return [binary, "-c", str(config), "-g", "daemon off;"]

    def log(self) -> str:
        error_log = self.run_dir / "error.log"
        return super().log() + (error_log.read_text() if error_log.exists() else "")


class Varnish(CachingProxy):
    """packaging/caching-proxy/varnish.vcl (Varnish + xkey), purged by surrogate key."""

    name = "varnish"

    def __init__(self, run_dir: Path) -> None:
        super().__init__(run_dir)
        self.purge_args = ["--purge-url", f"{self.url}/", "--public-url", self.url]

    def command(self, backend: str) -> list[str]:
        binary = find_binary("varnishd", "/usr/sbin/varnishd")
        host, _, port = backend.rpartition(":")
        vcl = self.run_dir / "pypidesk.vcl"
        vcl.write_text(
            fill(
                PACKAGING / "varnish.vcl",
                {"@BACKEND_HOST@": host, "@BACKEND_PORT@": port, "@PURGERS@": ""},
            )
        )
        # As root, varnishd would switch to its own user, who cannot enter the
        # test's temp dirs; no jail keeps it as the user who runs the tests.
        jail = ["-j", "none"] if os.geteuid() == 0 else []
        return [
            binary,
            "-F",
            *jail,
            "-n",
            str(self.run_dir / "work"),
            "-a",
            f"127.0.0.1:{self.port}",
            "-T",
            "none",
            "-f",
            str(vcl),
            "-s",
            "malloc,64m",
        ]


PROXIES = {"nginx": Nginx, "varnish": Varnish}
