"""Read-side throughput: pypidesk vs pypiserver vs nginx serving a static copy.

Not collected by pytest. Run from the repository root:

    PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_read.py [--workers N]

Needs ``wrk`` and ``nginx`` (apt-get install -y wrk nginx) and, for the
pypiserver column, a venv with pypiserver 2.x, gunicorn and gevent:

    python3 -m venv /tmp/readside-pypiserver
    /tmp/readside-pypiserver/bin/pip install 'pypiserver[cache]>=2,<3' gunicorn gevent

Data: 10,000 projects with one small wheel each, plus one project with 1,000
files. Each server gets wrk with 2 threads, 32 connections, 10 seconds per URL
on loopback; the "-gz" cases send ``Accept-Encoding: gzip`` as pip and uv do
(nginx then serves precompressed copies with gzip_static). Figures are
printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import insert

from pypidesk.client.local_index import find_free_port
from pypidesk.index.db.models import File, JournalEntry, Project, Release
from pypidesk.index.settings import ServerSettings
from tests.index.factories import build_wheel, open_database

PROJECTS = 10_000
BIG_FILES = 1_000
BIG = "big-project"
JSON = "application/vnd.pypi.simple.v1+json"
PYPISERVER_VENV = Path("/tmp/readside-pypiserver")
CASES = ("index", "big-html", "big-json", "file", "big-html-gz", "big-json-gz")


def populate(settings: ServerSettings) -> None:
    """Bulk-insert the benchmark index: rows, journal entries and real small wheels."""
    database = open_database(settings)
    now = dt.datetime.now(dt.UTC)
    projects, releases, files, journals = [], [], [], []
    serial = 0

    def add_file(project_id: int, release_id: int, name: str, version: str) -> None:
        nonlocal serial
        wheel = build_wheel(name, version)
        b2 = hashlib.blake2b(wheel.content, digest_size=32).hexdigest()
        path = f"{b2[:2]}/{b2[2:4]}/{b2[4:]}/{wheel.filename}"
        target = settings.packages_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(wheel.content)
        Path(f"{target}.metadata").write_bytes(wheel.metadata or b"")
        files.append(
            {
                "release_id": release_id,
                "filename": wheel.filename,
                "path": path,
                "size": len(wheel.content),
                "md5_digest": hashlib.md5(wheel.content, usedforsecurity=False).hexdigest(),
                "sha256_digest": hashlib.sha256(wheel.content).hexdigest(),
                "blake2_256_digest": b2,
                "packagetype": "bdist_wheel",
                "python_version": "py3",
                "upload_time": now,
                "metadata_sha256_digest": hashlib.sha256(wheel.metadata or b"").hexdigest(),
            }
        )
        serial += 1
        journals.append({"id": serial, "name": name, "version": version, "action": "add file"})

    release_id = 0
    for number in range(PROJECTS + 1):
        name = BIG if number == PROJECTS else f"project-{number:05d}"
        project_id = number + 1
        versions = [f"1.{v}" for v in range(BIG_FILES)] if name == BIG else ["1.0"]
        for version in versions:
            release_id += 1
            releases.append(
                {
                    "id": release_id,
                    "project_id": project_id,
                    "version": version,
                    "canonical_version": version,
                    "summary": "benchmark",
                }
            )
            add_file(project_id, release_id, name, version)
        projects.append(
            {"id": project_id, "name": name, "normalized_name": name, "last_serial": serial}
        )
    with database.write() as session:
        session.execute(insert(Project), projects)
        session.execute(insert(Release), releases)
        session.execute(insert(File), files)
        session.execute(insert(JournalEntry), journals)
    database.dispose()


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited early")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=5).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} never answered")


@contextlib.contextmanager
def running(args: list[str], url: str, **kwargs: object) -> Iterator[None]:
    process = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs
    )
    try:
        wait_for(url, process)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(url: str, accept: str | None = None, *, gzip_ok: bool = False) -> tuple[float, str]:
    args = ["wrk", "-t2", "-c32", "-d10s", "--latency"]
    if accept:
        args += ["-H", f"Accept: {accept}"]
    if gzip_ok:
        # What pip and uv send.
        args += ["-H", "Accept-Encoding: gzip"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        p99 += f" ({errors.group(1)} non-2xx)"
    return rps, p99


def static_copy(base: str, settings: ServerSettings, root: Path) -> dict[str, str]:
    """The very same pages as files for nginx; returns the static paths per case."""
    pages = {
        "index": ("/simple/", None, "simple/index.html"),
        "big-html": (f"/simple/{BIG}/", None, f"simple/{BIG}/index.html"),
        "big-json": (f"/simple/{BIG}/", JSON, f"json/{BIG}/index.json"),
    }
    paths = {}
    for case, (url, accept, target) in pages.items():
        headers = {"Accept": accept} if accept else {}
        body = httpx.get(base + url, headers=headers, timeout=60).content
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        (root / target).write_bytes(body)
        # nginx's gzip_static sends these to clients that accept gzip.
        Path(f"{root / target}.gz").write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
        paths[case] = "/" + target.removesuffix("index.html")
    if not (root / "packages").exists():
        (root / "packages").symlink_to(settings.packages_dir)
    return paths


NGINX_CONF = """
daemon off;
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    gzip_static on;
    gzip_vary on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ text/html html; application/vnd.pypi.simple.v1+json json; }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ etag on; }}
    }}
}}
"""


def small_file_url(base: str) -> str:
    page = httpx.get(f"{base}/simple/project-00042/", headers={"Accept": JSON}).json()
    return page["files"][0]["url"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="pypidesk worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--reuse", type=Path, help="a work directory kept by --keep")
    parser.add_argument("--skip-pypiserver", action="store_true")
    args = parser.parse_args()
    workdir = args.reuse or Path(tempfile.mkdtemp(prefix="pypidesk-readbench-"))
    # nginx's workers run as an unprivileged user and must read the static copy.
    workdir.chmod(0o755)
    settings = ServerSettings(data_dir=workdir / "data")
    if not args.reuse:
        started = time.monotonic()
        populate(settings)
        print(f"data: {PROJECTS} projects + {BIG_FILES} files in one, "
              f"built in {time.monotonic() - started:.0f} s")  # fmt: skip
    results: dict[str, dict[str, tuple[float, str]]] = {}

    port = find_free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [
        sys.executable, "-m", "pypidesk", "serve", "--port", str(port), "--data-dir",
        str(settings.data_dir), "--log-level", "warning", "--workers", str(args.workers),
    ]  # fmt: skip
    with running(serve, base + "/_health"):
        file_url = small_file_url(base)
        file_path = file_url.removeprefix(base)
        cases = {
            "index": (f"{base}/simple/", None),
            "big-html": (f"{base}/simple/{BIG}/", None),
            "big-json": (f"{base}/simple/{BIG}/", JSON),
            "file": (file_url, None),
        }
        for url, accept in cases.values():  # warm the page caches of every worker
            for _ in range(4 * args.workers):
                httpx.get(url, headers={"Accept": accept} if accept else {}, timeout=60)
        results["pypidesk"] = {case: wrk(url, accept) for case, (url, accept) in cases.items()}
        results["pypidesk"]["big-html-gz"] = wrk(cases["big-html"][0], gzip_ok=True)
        results["pypidesk"]["big-json-gz"] = wrk(cases["big-json"][0], JSON, gzip_ok=True)
        static_root = workdir / "static"
        static_paths = static_copy(base, settings, static_root)

    nginx_port = find_free_port()
    nginx_base = f"http://127.0.0.1:{nginx_port}"
    conf = workdir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=workdir, port=nginx_port, root=static_root))
    with running(["nginx", "-c", str(conf), "-p", str(workdir)], nginx_base + "/simple/"):
        results["nginx"] = {
            "index": wrk(nginx_base + static_paths["index"]),
            "big-html": wrk(nginx_base + static_paths["big-html"]),
            "big-json": wrk(nginx_base + static_paths["big-json"]),
            "file": wrk(nginx_base + file_path),
            "big-html-gz": wrk(nginx_base + static_paths["big-html"], gzip_ok=True),
            "big-json-gz": wrk(nginx_base + static_paths["big-json"], gzip_ok=True),
        }

    gunicorn = PYPISERVER_VENV / "bin" / "gunicorn"
    if gunicorn.exists() and not args.skip_pypiserver:
        ps_port = find_free_port()
        ps_base = f"http://127.0.0.1:{ps_port}"
        app = f"pypiserver:app(roots=['{settings.packages_dir}'], backend_arg='cached-dir')"
        command = [
            str(gunicorn), "-w", "1", "-k", "gevent", "-b", f"127.0.0.1:{ps_port}", app,
        ]  # fmt: skip
        with running(command, ps_base + "/simple/"):
            page = httpx.get(f"{ps_base}/simple/project-00042/", timeout=60).text
            href = re.search(r'href="([^"#]+)', page).group(1)
            ps_file = (
                href if href.startswith("http") else ps_base + "/simple/project-00042/" + href
            )
            ps_file = str(httpx.URL(ps_base + "/simple/project-00042/").join(href))
            results["pypiserver"] = {
                "index": wrk(f"{ps_base}/simple/"),
                "big-html": wrk(f"{ps_base}/simple/{BIG}/"),
                "big-json": (0.0, "n/a (no PEP 691)"),
                "file": wrk(ps_file),
                "big-html-gz": wrk(f"{ps_base}/simple/{BIG}/", gzip_ok=True),
                "big-json-gz": (0.0, "n/a"),
            }
    else:
        print("pypiserver column skipped")

    print(f"\npypidesk workers: {args.workers}; wrk -t2 -c32 -d10s; req/s (p99)")
    print(f"{'case':<10}" + "".join(f"{name:>26}" for name in results))
    for case in CASES:
        row = "".join(
            f"{rps:>14.0f} ({p99:>9})" for rps, p99 in (r[case] for r in results.values())
        )
        print(f"{case:<10}{row}")
    for case in CASES:
        ratio = results["pypidesk"][case][0] / results["nginx"][case][0]
        print(f"pypidesk/nginx {case}: {ratio:.1%}")
    if not (args.keep or args.reuse):
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
