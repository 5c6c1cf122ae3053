"""The caching proxy: reads through Varnish beside nginx serving the same bytes; a purge's cost.

Not collected by pytest. Run from the repository root:

    PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_proxy.py

Needs ``wrk``, ``nginx``, ``varnish`` and ``varnish-modules``, the last two
with ``libnginx-mod-http-cache-purge`` from ``scripts/setup --test``.

Reads: ``serve --workers 2`` behind packaging/caching-proxy/varnish.vcl, the
pages warmed into Varnish's cache, against nginx serving a static copy of the
very same bytes (bench_read.py's set-up). wrk -t2 -c32 -d10s per URL; Varnish
and nginx take turns case by case, so that a machine whose speed drifts
treats both alike, in ``--rounds`` rounds (the median ratio is printed).
Goal (issue 17): Varnish at least 80% of nginx.

Purge cost: small uploads POSTed one after another to three servers in turn,
one without a proxy to purge, one purging Varnish by key (``--purge-url``)
and one purging nginx by URL (``--purge-path-url``); the difference of the
medians is what a purge adds to an upload. Goal: at most 5 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from pypidesk.client.local_index import find_free_port
from pypidesk.index.db.engine import Database
from pypidesk.index.db.migrate import upgrade
from pypidesk.index.records import accounts
from pypidesk.index.settings import ServerSettings
from tests.benchmarks import bench_read
from tests.e2e.caching_proxies import CachingProxy, Nginx, Varnish
from tests.index.upload.dists import make_wheel

JSON = bench_read.JSON
READ_CASES = ("index-gz", "big-html-gz", "big-json-gz", "file", "big-html", "big-json")


@contextmanager
def serving(data_dir: Path, *extra: str) -> Iterator[str]:
    port = find_free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "pypidesk", "serve", "--port", str(port), "--data-dir",
        str(data_dir), "--log-level", "warning", *extra,
    ]  # fmt: skip
    with bench_read.running(command, url + "/_health"):
        yield url


@contextmanager
def proxying(proxy: CachingProxy, backend: str) -> Iterator[CachingProxy]:
    proxy.start(backend.removeprefix("http://"))
    try:
        yield proxy
    finally:
        proxy.stop()


def read_benchmark(workdir: Path, projects: int, rounds: int) -> None:
    bench_read.PROJECTS = projects  # a smaller index than bench_read's 10,000 projects
    settings = ServerSettings(data_dir=workdir / "data")
    started = time.monotonic()
    bench_read.populate(settings)
    print(f"data: {projects} projects + {bench_read.BIG_FILES} files in one, "
          f"built in {time.monotonic() - started:.0f} s")  # fmt: skip
    big = bench_read.BIG
    with serving(settings.data_dir, "--workers", "2") as base:
        file_path = bench_read.small_file_url(base).removeprefix(base)
        static_root = workdir / "static"
        static = bench_read.static_copy(base, settings, static_root)
        nginx_port = find_free_port()
        nginx_base = f"http://127.0.0.1:{nginx_port}"
        conf = workdir / "nginx-static.conf"
        conf.write_text(
            bench_read.NGINX_CONF.format(prefix=workdir, port=nginx_port, root=static_root)
        )
        with (
            proxying(Varnish(workdir / "varnish"), base) as varnish,
            bench_read.running(["nginx", "-c", str(conf), "-p", str(workdir)], nginx_base + "/"),
        ):
            # case: (Varnish path, static path, Accept, gzip)
            cases = {
                "index-gz": ("/simple/", static["index"], None, True),
                "big-html-gz": (f"/simple/{big}/", static["big-html"], None, True),
                "big-json-gz": (f"/simple/{big}/", static["big-json"], JSON, True),
                "file": (file_path, file_path, None, False),
                "big-html": (f"/simple/{big}/", static["big-html"], None, False),
                "big-json": (f"/simple/{big}/", static["big-json"], JSON, False),
            }
            runs: dict[str, list[tuple[tuple[float, str], tuple[float, str]]]] = {}
            for _round in range(rounds):
                for case in READ_CASES:
                    path, static_path, accept, gzip_ok = cases[case]
                    headers = {"Accept": accept} if accept else {}
                    if gzip_ok:
                        headers["Accept-Encoding"] = "gzip"
                    for _ in range(2):  # warm Varnish's cache for exactly this variant
                        httpx.get(varnish.url + path, headers=headers, timeout=60)
                    cached = httpx.get(varnish.url + path, headers=headers)
                    assert cached.headers["x-cache-status"] == "HIT", case
                    runs.setdefault(case, []).append(
                        (
                            bench_read.wrk(varnish.url + path, accept, gzip_ok=gzip_ok),
                            bench_read.wrk(nginx_base + static_path, gzip_ok=gzip_ok),
                        )
                    )
    # Per case, the round whose ratio is the median one.
    results = {
        case: sorted(pairs, key=lambda pair: pair[0][0] / pair[1][0])[len(pairs) // 2]
        for case, pairs in runs.items()
    }
    print(f"\nreads, wrk -t2 -c32 -d10s, the median of {rounds} rounds; req/s (p99)")
    print(f"{'case':<13}{'Varnish':>26}{'nginx static':>26}{'ratio':>8}")
    for case, ((v_rps, v_p99), (n_rps, n_p99)) in results.items():
        print(
            f"{case:<13}{v_rps:>14.0f} ({v_p99:>9}){n_rps:>14.0f} ({n_p99:>9})"
            f"{v_rps / n_rps:>8.0%}"
        )


def _token(data_dir: Path) -> str:
    settings = ServerSettings(data_dir=data_dir)
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine, data_dir)
    with database.write() as session:
        user = accounts.create_user(session, "bench", "bench@example.org", "a long password")
        token = accounts.create_token(session, settings, user, "bench")
    database.dispose()
    return token


def _upload(client: httpx.Client, url: str, token: str, name: str, version: str) -> float:
    dist = make_wheel(name, version)
    started = time.perf_counter()
    response = client.post(
        url + "/legacy/",
        data=dist.form(),
        files={"content": (dist.filename, dist.data, "application/octet-stream")},
        auth=("__token__", token),
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.headers
    return elapsed * 1000


def purge_benchmark(workdir: Path, uploads: int) -> None:
    kinds = ("no proxy", "Varnish, by key", "nginx, by URL")
    tokens = {kind: _token(workdir / f"up-{n}") for n, kind in enumerate(kinds)}
    varnish = Varnish(workdir / "purge-varnish")
    nginx = Nginx(workdir / "purge-nginx")
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    with (
        serving(workdir / "up-0") as plain,
        serving(workdir / "up-1", *varnish.purge_args) as keyed,
        serving(workdir / "up-2", *nginx.purge_args) as by_url,
        proxying(varnish, keyed),
        proxying(nginx, by_url),
        httpx.Client(timeout=60) as client,
    ):
        urls = dict(zip(kinds, (plain, keyed, by_url), strict=True))
        # Cache the project's pages in each proxy, so that every purge has work to do.
        for kind in kinds:
            _upload(client, urls[kind], tokens[kind], "bench-pkg", "0.0")
        for proxy in (varnish, nginx):
            for path in ("/simple/bench-pkg/", "/pypi/bench-pkg/json", "/simple/"):
                httpx.get(proxy.url + path)
        for number in range(1, uploads + 1):
            for kind in kinds:
                times[kind].append(
                    _upload(client, urls[kind], tokens[kind], "bench-pkg", f"1.{number}")
                )
    plain_median = statistics.median(times["no proxy"])
    print(f"\nuploads of a small wheel, {uploads} per server, taking turns; ms")
    print(f"{'server':<18}{'median':>8}{'p90':>8}{'added':>8}")
    for kind in kinds:
        ordered = sorted(times[kind])
        median = statistics.median(ordered)
        p90 = ordered[int(len(ordered) * 0.9)]
        print(f"{kind:<18}{median:>8.2f}{p90:>8.2f}{median - plain_median:>8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000, help="small projects (reads)")
    parser.add_argument("--uploads", type=int, default=200, help="uploads per server")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the read cases")
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--skip-purge", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="pypidesk-proxybench-"))
    workdir.chmod(0o755)  # nginx's workers read the static copy
    try:
        if not args.skip_reads:
            read_benchmark(workdir, args.projects, args.rounds)
        if not args.skip_purge:
            purge_benchmark(workdir, args.uploads)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
