"""Live indexes with real uploads, shared by the client and GUI tests.

``published_index``: a ``pypidesk serve`` where alice owns ``demo-lib`` (three
releases, one yanked, a Markdown description) and maintains ``tools-x``, all
uploaded by the real twine; users, tokens and roles made with the real admin CLI.
``pypiserver_index``: a real pypiserver holding the same ``demo-lib`` files.
Both are session-scoped (starting and filling them takes seconds); tests only read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pypidesk.client.local_index import find_free_port
from tests.conftest import LiveServer
from tests.e2e.upload_helpers import PASSWORD, clean_env, twine, write_dists
from tests.index.upload.dists import Dist, make_sdist, make_wheel

README = """# Demo lib

A *tiny* library. See [the docs](https://docs.example.org/demo).

| feature | state |
|---------|-------|
| tables  | GFM   |
"""


def _with_readme(dist: Dist, member: str, name: str, version: str) -> Dist:
    """``dist`` rebuilt with a Markdown long description in its core metadata."""
    metadata = (
        f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n"
        "Summary: A tiny demo library\nDescription-Content-Type: text/markdown\n\n" + README
    ).encode()
    if dist.filename.endswith(".whl"):
        return make_wheel(name, version, members={member: metadata})
    return make_sdist(name, version, members={member: metadata})


def demo_dists() -> dict[str, list[Dist]]:
    """demo-lib 1.0 (sdist + wheel), 1.1 (wheel), 2.0 (wheel, to be yanked)."""
    return {
        "1.0": [
            _with_readme(
                make_sdist("demo-lib", "1.0"), "demo_lib-1.0/PKG-INFO", "demo-lib", "1.0"
            ),
            _with_readme(
                make_wheel("demo-lib", "1.0"),
                "demo_lib-1.0.dist-info/METADATA",
                "demo-lib",
                "1.0",
            ),
        ],
        "1.1": [
            _with_readme(
                make_wheel("demo-lib", "1.1"),
                "demo_lib-1.1.dist-info/METADATA",
                "demo-lib",
                "1.1",
            )
        ],
        "2.0": [
            _with_readme(
                make_wheel("demo-lib", "2.0"),
                "demo_lib-2.0.dist-info/METADATA",
                "demo-lib",
                "2.0",
            )
        ],
    }


def sha256(dist: Dist) -> str:
    return hashlib.sha256(dist.data).hexdigest()


def admin(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    """The real ``pypidesk admin`` CLI; its printed output."""
    result = subprocess.run(
        [sys.executable, "-m", "pypidesk", "admin", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def upload(url: str, dists: list[Dist], *, home: Path, password: str, **kw: str) -> None:
    files = write_dists(home / "dist", *dists)
    result = twine(url, files, home=home, password=password, **kw)
    assert result.returncode == 0, result.stdout + result.stderr


@dataclasses.dataclass
class PublishedIndex:
    """A live pypidesk index with alice's projects; its tokens and what was uploaded."""

    server: LiveServer
    alice_token: str
    nobody_token: str
    dists: dict[str, list[Dist]]

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="session")
def published_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublishedIndex]:
    root = tmp_path_factory.mktemp("published")
    data_dir = root / "data"
    data_dir.mkdir()
    for user in ("alice", "bob", "nobody"):
        admin(data_dir, "create-user", user, "--email", f"{user}@example.org", stdin=PASSWORD)
    alice = admin(
        data_dir, "create-token", "alice", "--permission", "upload", "--permission", "manage"
    )
    bob = admin(data_dir, "create-token", "bob")
    nobody = admin(data_dir, "create-token", "nobody", "--permission", "manage")
    server = LiveServer(data_dir)
    try:
        server.wait_healthy()
        dists = demo_dists()
        home = root / "home"
        for version in ("1.0", "1.1", "2.0"):
            upload(server.url, dists[version], home=home / version, password=alice)
        upload(server.url, [make_wheel("tools-x", "0.9.1")], home=home / "bob", password=bob)
        admin(data_dir, "add-role", "alice", "tools-x", "Maintainer")
        admin(data_dir, "yank", "demo-lib", "2.0", "--reason", "bad ABI")
        yield PublishedIndex(server, alice, nobody, dists)
    finally:
        server.stop()


class PypiServer:
    """A real pypiserver child on a loopback port; no auth, no fallback to pypi.org."""

    def __init__(self, packages: Path, port: int | None = None) -> None:
        self.packages = packages
        self.port = port or find_free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        #: What was uploaded to it, by filename.
        self.dists: dict[str, Dist] = {}
        self.log_path = packages.parent / f"pypiserver-{self.port}.log"
        executable = Path(sys.executable).with_name("pypi-server")
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(executable),
                "run",
                "--host",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-a",
                ".",
                "-P",
                ".",
                "--disable-fallback",
                str(packages),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=clean_env(packages.parent),
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/simple/", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(self.log_path.read_text()) from None
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self._log.close()


@pytest.fixture(scope="session")
def pypiserver_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiServer]:
    root = tmp_path_factory.mktemp("pypiserver")
    packages = root / "packages"
    packages.mkdir()
    server = PypiServer(packages)
    try:
        dists = demo_dists()
        all_dists = [d for version in ("1.0", "1.1") for d in dists[version]]
        files = write_dists(root / "dist", *all_dists)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "twine",
                "upload",
                "--non-interactive",
                "--disable-progress-bar",
                "--repository-url",
                server.url + "/",
                "-u",
                "anyone",
                "-p",
                "anything",
                *map(str, files),
            ],
            env=clean_env(root),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        server.dists = {d.filename: d for d in all_dists}
        yield server
    finally:
        server.stop()
