"""Publish benchmark: the app's upload (LegacyPublisher) against ``twine upload``, same server.

Run from the repository root (not collected by pytest):

    PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_publish.py [--files 200] [--mb 100]

One live ``pypidesk serve`` takes both. Each side gets its own files of the
same sizes (an index never takes a file name twice): ``--files`` small wheels
as versions of one project, and one wheel of ``--mb`` MB of incompressible
data. The app side runs as the app runs it: on a qasync loop inside a
QApplication, with a QTimer firing every 5 ms whose longest gap is the loop's
worst stall, and which samples the process's RSS (the app's memory must not
grow with the file's size: a 10 MB wheel is sent first for comparison). twine
runs as a child process, one ``twine upload`` for all files, as a user would.

Prints the times, ``ratio = twine time / app time`` (at least 0.9 is the
target), the worst stall during the big upload (at most 50 ms) and the RSS
growth during the 10 MB and the big upload.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from pypidesk.publish.distfile import inspect  # noqa: E402
from pypidesk.publish.upload import LegacyPublisher  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402
from tests.e2e.upload_helpers import Accounts, clean_env  # noqa: E402
from tests.index.upload.dists import make_wheel  # noqa: E402

MB = 1_000_000
PROBE_MS = 5


def rss_bytes() -> int:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def write_big_wheel(path: Path, name: str, version: str, size: int) -> Path:
    """A valid wheel with ``size`` bytes of random data, streamed to disk (no RSS here)."""
    package = name.replace("-", "_")
    wheel = path / f"{package}-{version}-py3-none-any.whl"
    dist_info = f"{package}-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{package}/__init__.py", "VALUE = 1\n")
        with archive.open(f"{package}/blob.bin", "w", force_zip64=True) as blob:
            left = size
            while left > 0:
                chunk = os.urandom(min(left, 4 * MB))
                blob.write(chunk)
                left -= len(chunk)
        archive.writestr(
            f"{dist_info}/METADATA",
            f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\nSummary: big\n",
        )
        archive.writestr(
            f"{dist_info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        archive.writestr(f"{dist_info}/RECORD", "")
    return wheel


def small_wheels(folder: Path, name: str, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        dist = make_wheel(name, f"1.0.{i}", payload=os.urandom(2000).hex().encode())
        path = folder / dist.filename
        path.write_bytes(dist.data)
        paths.append(path)
    return paths


def twine_upload(url: str, token: str, files: list[Path], home: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "upload",
            "--non-interactive",
            "--disable-progress-bar",
            "--repository-url",
            f"{url}/legacy/",
            "-u",
            "__token__",
            "-p",
            token,
            *map(str, files),
        ],
        env=clean_env(home),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    return elapsed


class Probe:
    """A QTimer on the app's loop: the longest gap between its ticks, and RSS samples."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self.peak_rss = 0
        self._last = 0.0

    def start(self) -> None:
        self.worst = 0.0
        self.peak_rss = rss_bytes()
        self._last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self._last - PROBE_MS / 1000)
        self._last = now
        self.peak_rss = max(self.peak_rss, rss_bytes())

    def stop(self) -> None:
        self.timer.stop()


async def app_upload(
    url: str, token: str, files: list[Path], probe: Probe
) -> tuple[float, int, float, float]:
    """Inspect (hash, read metadata: the Check step) and upload ``files``, as the app does.

    Returns the seconds for both, the RSS growth, and the worst loop stall while
    inspecting (in a worker thread) and while uploading.
    """
    async with httpx.AsyncClient(timeout=60) as http:
        publisher = LegacyPublisher(http, f"{url}/legacy/", token=token)
        before = rss_bytes()
        probe.start()
        started = time.perf_counter()
        dists = [await asyncio.to_thread(inspect, path) for path in files]
        inspect_stall, probe.worst = probe.worst, 0.0
        await publisher.publish(dists, lambda _progress: None)
        elapsed = time.perf_counter() - started
        probe.stop()
    return elapsed, probe.peak_rss - before, inspect_stall, probe.worst


async def main(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    data_dir = root / "data"
    data_dir.mkdir()
    accounts = Accounts(data_dir)
    accounts.user("bench")
    token = accounts.token("bench", "bench")
    accounts.close()
    server = LiveServer(data_dir)
    server.wait_healthy()
    probe = Probe()
    try:
        app_small = small_wheels(root / "app-small", "bench-app", args.files)
        twine_small = small_wheels(root / "twine-small", "bench-twine", args.files)
        big = root / "big"
        big.mkdir()
        medium = write_big_wheel(big, "bench-medium", "1.0", 10 * MB)
        app_big = write_big_wheel(big, "bench-app-big", "1.0", args.mb * MB)
        twine_big = write_big_wheel(big, "bench-twine-big", "1.0", args.mb * MB)
        # Warm both paths (imports, first connection, the server's caches).
        twine_upload(server.url, token, small_wheels(root / "w1", "warm-twine", 3), root / "h0")
        await app_upload(server.url, token, small_wheels(root / "w2", "warm-app", 3), probe)

        twine_small_s = twine_upload(server.url, token, twine_small, root / "h1")
        app_small_s, *_ = await app_upload(server.url, token, app_small, probe)
        _, medium_rss, *_ = await app_upload(server.url, token, [medium], probe)
        app_big_s, big_rss, hash_stall, big_stall = await app_upload(
            server.url, token, [app_big], probe
        )
        twine_big_s = twine_upload(server.url, token, [twine_big], root / "h2")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(
        f"{args.files} small files: twine {twine_small_s:.2f} s, app {app_small_s:.2f} s, "
        f"ratio {twine_small_s / app_small_s:.2f}"
    )
    print(
        f"{args.mb} MB wheel: twine {twine_big_s:.2f} s, app {app_big_s:.2f} s, "
        f"ratio {twine_big_s / app_big_s:.2f}"
    )
    print(
        f"worst event-loop stall: {big_stall * 1000:.1f} ms during the {args.mb} MB upload, "
        f"{hash_stall * 1000:.1f} ms while its check read it (worker thread)"
    )
    print(
        f"RSS growth: 10 MB upload {medium_rss / MB:.1f} MB, "
        f"{args.mb} MB upload {big_rss / MB:.1f} MB"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--mb", type=int, default=100)
    app = QApplication.instance() or QApplication([])
    qasync.run(main(parser.parse_args()))
