"""Upstream fall-through benchmark: cached upstream page vs local page; cold page vs upstream.

Run from the repository root (not collected by pytest):

    PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_upstream.py [--requests 2000]

Two live ``pypidesk serve`` on loopback: the upstream, holding ``up-0`` …
``up-49`` (20 wheels each), and the local index with ``--upstream`` and
``local-lib`` (20 wheels too, so the pages are the same size). Measured
with one keep-alive client, sequential requests, PEP 691 JSON and HTML:

- warm: ``/simple/local-lib/`` vs ``/simple/up-0/`` once cached (median, p90);
- cold: each ``up-N`` through the local index for the first time, vs the
  upstream's own time for the same page (asked directly just before, warmed
  first so that its own page cache does not count against it). The target:
  a cold page adds to a cached one at most the upstream's time plus 20 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pypidesk.cli import main as pypidesk  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402
from tests.e2e.upload_helpers import Accounts  # noqa: E402
from tests.index.upload.dists import make_wheel  # noqa: E402

JSON = "application/vnd.pypi.simple.v1+json"
COLD_PROJECTS = 50
FILES = 20


def index(root: Path, names: list[str], extra: list[str]) -> LiveServer:
    data_dir = root / "data"
    accounts = Accounts(data_dir)
    accounts.user("alice")
    accounts.close()
    folder = root / "dists"
    folder.mkdir(parents=True)
    for name in names:
        for number in range(FILES):
            dist = make_wheel(name, f"1.{number}")
            (folder / dist.filename).write_bytes(dist.data)
    args = ["admin", "--data-dir", str(data_dir), "import", str(folder), "--owner", "alice"]
    assert pypidesk(args) == 0
    server = LiveServer(data_dir, extra)
    server.wait_healthy(timeout=180)
    return server


def timed(client: httpx.Client, url: str, accept: str) -> float:
    started = time.perf_counter()
    response = client.get(url, headers={"Accept": accept})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000


def warm(client: httpx.Client, url: str, accept: str, count: int) -> list[float]:
    timed(client, url, accept)
    return [timed(client, url, accept) for _ in range(count)]


def describe(label: str, values: list[float]) -> str:
    p90 = statistics.quantiles(values, n=10)[-1]
    return f"  {label:28} median {statistics.median(values):6.2f} ms  p90 {p90:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-upstream-") as tmp:
        root = Path(tmp)
        names = [f"up-{number}" for number in range(COLD_PROJECTS)]
        upstream = index(root / "upstream", names, [])
        local = index(root / "local", ["local-lib"], ["--upstream", upstream.url + "/simple/"])
        try:
            with httpx.Client() as client:
                for accept in (JSON, "text/html"):
                    kind = "JSON" if accept == JSON else "HTML"
                    # Cold first: every up-N is new to the local index.
                    direct, cold = [], []
                    for name in names:
                        url = f"/simple/{name}/"
                        timed(client, upstream.url + url, accept)  # the upstream's cache warm
                        direct.append(timed(client, upstream.url + url, accept))
                        cold.append(timed(client, local.url + url, accept))
                    extra = [c - d for c, d in zip(cold, direct, strict=True)]
                    local_page = warm(
                        client, local.url + "/simple/local-lib/", accept, args.requests
                    )
                    cached = warm(client, local.url + "/simple/up-0/", accept, args.requests)
                    print(f"{kind} ({FILES} files a page):")
                    print(describe("local page", local_page))
                    print(describe("cached upstream page", cached))
                    print(describe("upstream's own time", direct))
                    print(describe("cold page through us", cold))
                    print(describe("cold - cached - upstream", extra) + "  (target <= 20 ms)")
                    # The HTML round starts cold again: a new server, no kept pages.
                    if kind == "JSON":
                        local.stop()
                        for path in (local.data_dir / "upstream" / "pages").iterdir():
                            path.unlink()
                        local = LiveServer(
                            local.data_dir, ["--upstream", upstream.url + "/simple/"]
                        )
                        local.wait_healthy()
        finally:
            local.stop()
            upstream.stop()


if __name__ == "__main__":
    main()
