"""Upload benchmark: pypidesk vs a discard server vs pypiserver 2.x, driven by the real twine.

Run from the repository root (not collected by pytest):

    PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_upload.py [--files 2000]

Prints, for each server: small files per second in one ``twine upload`` run,
MB/s for a 50 MB wheel; for pypidesk also RSS idle, peak while receiving a
100 MB upload, and idle after. pypiserver is installed into its own venv
under /tmp on first use (skipped with --no-pypiserver).

Run it on a quiet machine, and not within five minutes of deleting many
files (the test suite does): ext4 does not reuse an inode deleted in the last
minute (five, while its table block is dirty), and each new file or directory
then costs up to a millisecond of kernel time while the allocator skips them
(``perf`` shows ``recently_deleted`` under ``ext4_tmpfile`` and
``ext4_mkdir``). The server's system CPU per file, printed at the end, shows it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pypidesk.client.local_index import find_free_port  # noqa: E402
from tests.e2e.upload_helpers import Accounts, clean_env  # noqa: E402
from tests.index.upload.dists import make_wheel  # noqa: E402

PYPISERVER_VENV = Path("/tmp/pypidesk-bench-pypiserver")
MB = 1_000_000
IDLE_SECONDS = 3.0


def discard_server(port: int) -> None:
    """Reads and discards every request body, answers 200: the client's ceiling."""
    import uvicorn

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]}
        )
        await send({"type": "http.response.body", "body": b""})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


class Server:
    def __init__(self, name: str, command: list[str], url: str, upload_url: str) -> None:
        self.name = name
        self.url = url
        self.upload_url = upload_url
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy()
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(url, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"{name} did not start")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> tuple[float, float]:
        """User and system CPU the server has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return int(fields[11]) / tick, int(fields[12]) / tick

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def twine_upload(server: Server, files: list[Path], token: str, home: Path) -> float:
    env = clean_env(home)
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
            server.upload_url,
            "-u",
            "__token__",
            "-p",
            token,
            *map(str, files),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"twine failed against {server.name}:\n{result.stdout[-2000:]}")
    return elapsed


def write(directory: Path, dists: list) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for dist in dists:
        path = directory / dist.filename
        path.write_bytes(dist.data)
        paths.append(path)
    return paths


def make_files(work: Path, count: int) -> tuple[list[Path], list[Path], Path]:
    small = write(work / "small", [make_wheel("bench-small", f"1.0.{n}") for n in range(count)])
    big = write(
        work / "big",
        [make_wheel("bench-big", f"{n}.0", payload=os.urandom(50 * MB)) for n in (1, 2)],
    )
    (huge,) = write(work / "huge", [make_wheel("bench-huge", "1.0", payload=os.urandom(100 * MB))])
    return small, big, huge


def ensure_pypiserver() -> Path:
    executable = PYPISERVER_VENV / "bin" / "pypi-server"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PYPISERVER_VENV)], check=True)
        subprocess.run(
            [str(PYPISERVER_VENV / "bin" / "pip"), "install", "-q", "pypiserver>=2,<3"],
            check=True,
        )
    return executable


def start(name: str, work: Path) -> tuple[Server, str]:
    port = find_free_port()
    url = f"http://127.0.0.1:{port}"
    if name == "discard":
        command = [sys.executable, __file__, "--discard-server", str(port)]
        return Server(name, command, url + "/", url + "/legacy/"), "pypi-unused"
    if name == "pypiserver":
        packages = work / "pypiserver-packages"
        shutil.rmtree(packages, ignore_errors=True)
        packages.mkdir()
        command = [
            str(ensure_pypiserver()), "run", "-p", str(port), "-i", "127.0.0.1",
            "-a", ".", "-P", ".", str(packages),
        ]  # fmt: skip
        return Server(name, command, url + "/", url + "/"), "unused"
    data_dir = work / "pypidesk-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    accounts = Accounts(data_dir)
    accounts.user("bench")
    token = accounts.token("bench", "bench")
    accounts.close()
    command = [
        sys.executable, "-m", "pypidesk", "serve", "--port", str(port), "--data-dir",
        str(data_dir), "--log-level", "warning",
    ]  # fmt: skip
    return Server(name, command, url + "/_health", url + "/legacy/"), token


def measure(name: str, work: Path, small: list[Path], big: list[Path], huge: Path) -> dict:
    home = work / "home"
    home.mkdir(exist_ok=True)
    server, token = start(name, work)
    figures: dict[str, float] = {}
    try:
        figures["idle_rss_mib"] = server.rss_kib() / 1024
        user, system = server.cpu_seconds()
        elapsed = twine_upload(server, small, token, home)
        figures["files_per_s"] = len(small) / elapsed
        # Server CPU per small file: steadier than the rate on a shared machine,
        # and the system part shows the filesystem's share (see the docstring).
        user_after, system_after = server.cpu_seconds()
        figures["user_ms_per_file"] = (user_after - user) / len(small) * 1000
        figures["system_ms_per_file"] = (system_after - system) / len(small) * 1000
        rates = [big_file.stat().st_size / MB / twine_upload(server, [big_file], token, home)
                 for big_file in big]  # fmt: skip
        figures["mb_per_s"] = max(rates)
        idle = server.rss_kib()
        peak = [idle]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak.append(server.rss_kib())
                time.sleep(0.005)

        sampler = threading.Thread(target=sample)
        sampler.start()
        twine_upload(server, [huge], token, home)
        stop.set()
        sampler.join()
        time.sleep(0.5)
        figures["rss_before_100mb_mib"] = idle / 1024
        figures["peak_rss_100mb_mib"] = max(peak) / 1024
        figures["rss_just_after_mib"] = server.rss_kib() / 1024
        # Idle means after a rest: pypidesk gives memory back once it has had
        # no request for 2 s (pypidesk.index.idle); both figures are printed.
        time.sleep(IDLE_SECONDS)
        figures["idle_rss_after_mib"] = server.rss_kib() / 1024
    finally:
        server.stop()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--no-pypiserver", action="store_true")
    parser.add_argument("--only", choices=["discard", "pypidesk", "pypiserver"], action="append")
    parser.add_argument("--discard-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.discard_server:
        discard_server(args.discard_server)
        return 0
    names = args.only or ["discard", "pypidesk"] + ([] if args.no_pypiserver else ["pypiserver"])
    with tempfile.TemporaryDirectory(prefix="pypidesk-bench-") as tmp:
        work = Path(tmp)
        print(f"generating {args.files} small wheels, 2 x 50 MB and 1 x 100 MB ...", flush=True)
        small, big, huge = make_files(work, args.files)
        results = {}
        for name in names:
            print(f"measuring {name} ...", flush=True)
            # The 200 MB just generated (or the last server's files) would
            # otherwise be written back to disk during the measurement.
            os.sync()
            results[name] = measure(name, work, small, big, huge)
            print(f"  {results[name]}", flush=True)
    print()
    print(f"{'server':<12} {'files/s':>8} {'MB/s 50MB':>10} {'RSS idle':>9} "
          f"{'RSS peak 100MB':>15} {'RSS +0.5s':>10} {'RSS +3s':>8}")  # fmt: skip
    for name, f in results.items():
        print(
            f"{name:<12} {f['files_per_s']:>8.1f} {f['mb_per_s']:>10.1f} "
            f"{f['rss_before_100mb_mib']:>8.1f}M {f['peak_rss_100mb_mib']:>14.1f}M "
            f"{f['rss_just_after_mib']:>9.1f}M {f['idle_rss_after_mib']:>7.1f}M"
        )
    if "discard" in results and "pypidesk" in results:
        d, p = results["discard"], results["pypidesk"]
        print()
        files_ratio = p["files_per_s"] / d["files_per_s"]
        mb_ratio = p["mb_per_s"] / d["mb_per_s"]
        print(
            f"pypidesk / discard: files/s {files_ratio:.0%} (target >= 45%), "
            f"MB/s {mb_ratio:.0%} (target >= 80%)"
        )
        print(
            f"pypidesk CPU per small file: user {p['user_ms_per_file']:.2f} ms, "
            f"system {p['system_ms_per_file']:.2f} ms"
        )
        growth = p["peak_rss_100mb_mib"] - p["rss_before_100mb_mib"]
        print(
            f"pypidesk RSS growth while receiving 100 MB: {growth:.1f} MiB (target <= 30); "
            f"idle after: {p['idle_rss_after_mib']:.1f} MiB (target <= 80)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
