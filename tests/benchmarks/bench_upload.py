"""Upload benchmark: pypidesk vs a discard server vs pypiserver 2.x, driven by the real twine.

Run from the repository root (not collected by pytest):

    PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_upload.py [--files 2000]

Prints, for each server: small files per second in one ``twine upload`` run,
MB/s for a 50 MB wheel; for pypidesk also RSS idle, peak while receiving a
100 MB upload, and idle after. pypiserver is installed into its own venv
under /tmp on first use (skipped with --no-pypiserver).

The machine's speed drifts by up to half within minutes, and not equally for
both servers, so the small-file share is the median of ``--rounds`` runs
that alternate the discard server and pypidesk. ``--latency-probe`` adds
discard servers that keep their CPU busy 1, 2 and 3 ms per upload: the
share they reach shows how much server time per upload a target allows.

Run it on a quiet machine, and not within five minutes of deleting many
files (the test suite does, and so does this script's own clean-up): ext4
does not reuse an inode deleted in the last minute (five, while its table
block is dirty), and each new file or directory then costs up to a
millisecond of kernel time while the allocator skips them (``perf`` shows
``recently_deleted`` under ``ext4_tmpfile`` and ``ext4_mkdir``). The time to
create a file, printed first, and the server's system CPU per file, printed
at the end, show it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import statistics
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
# Servers whose small-file rate is measured again in each further round.
REPEATED = ("discard", "pypidesk")


def discard_server(port: int, busy_ms: float = 0.0) -> None:
    """Reads and discards every request body, answers 200: the client's ceiling.

    With ``busy_ms``, it keeps its CPU busy that long before each answer: a
    server that costs exactly that much per upload and does nothing else.
    """
    import uvicorn

    busy_s = busy_ms / 1000

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
        done = time.perf_counter() + busy_s
        while time.perf_counter() < done:
            pass
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


def client_cpu_seconds() -> float:
    """User and system CPU of this script's finished children (the twine runs) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def start(name: str, work: Path, busy_ms: float = 0.0, run: int = 0) -> tuple[Server, str]:
    port = find_free_port()
    url = f"http://127.0.0.1:{port}"
    if name == "discard":
        command = [
            sys.executable, __file__, "--discard-server", str(port), "--busy-ms", str(busy_ms),
        ]  # fmt: skip
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
    # A new directory for each run: deleting the last run's thousands of files
    # would slow the next one's inode allocation (see the module docstring).
    data_dir = work / f"pypidesk-data-{run}"
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
        client = client_cpu_seconds()
        elapsed = twine_upload(server, small, token, home)
        figures["files_per_s"] = len(small) / elapsed
        # twine's own CPU per file grows while it waits for answers (see latency_probe).
        figures["client_ms_per_file"] = (client_cpu_seconds() - client) / len(small) * 1000
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
        # no request for 2 s (pypidesk.index.serving.idle); both figures are printed.
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
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="small-file runs of discard and pypidesk, alternating (the machine's speed drifts)",
    )
    parser.add_argument(
        "--latency-probe",
        action="store_true",
        help="also time discard servers that are busy 1, 2 and 3 ms per upload",
    )
    parser.add_argument("--discard-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--busy-ms", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.discard_server:
        discard_server(args.discard_server, args.busy_ms)
        return 0
    names = args.only or ["discard", "pypidesk"] + ([] if args.no_pypiserver else ["pypiserver"])
    with tempfile.TemporaryDirectory(prefix="pypidesk-bench-") as tmp:
        work = Path(tmp)
        print(f"generating {args.files} small wheels, 2 x 50 MB and 1 x 100 MB ...", flush=True)
        small, big, huge = make_files(work, args.files)
        os.sync()
        creation = file_creation_us(work)
        print(f"creating a file here takes {creation:.0f} us (about 20 at rest)", flush=True)
        results = {}
        for name in names:
            print(f"measuring {name} ...", flush=True)
            # The 200 MB just generated (or the last server's files) would
            # otherwise be written back to disk during the measurement.
            os.sync()
            results[name] = measure(name, work, small, big, huge)
            print(f"  {results[name]}", flush=True)
        rounds = {name: [results[name]["files_per_s"]] for name in names if name in REPEATED}
        for run in range(1, args.rounds):
            for name, rates in rounds.items():
                print(f"round {run + 1}: {name} small files ...", flush=True)
                rates.append(small_run(name, work, small, run)[0])
        probes = latency_probe(work, small) if args.latency_probe else {}
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
        pairs = list(zip(rounds["discard"], rounds["pypidesk"], strict=True))
        shares = [mine / theirs for theirs, mine in pairs]
        files_ratio = statistics.median(shares)
        if len(shares) > 1:
            print(
                "small files per round, discard / pypidesk: "
                + ", ".join(
                    f"{theirs:.0f} / {mine:.0f} ({share:.0%})"
                    for (theirs, mine), share in zip(pairs, shares, strict=True)
                )
            )
        mb_ratio = p["mb_per_s"] / d["mb_per_s"]
        print(
            f"pypidesk / discard: files/s {files_ratio:.0%} (median of {len(shares)} rounds; "
            "target >= 45%), "
            f"MB/s {mb_ratio:.0%} (target >= 80%)"
        )
        print(
            f"pypidesk CPU per small file: user {p['user_ms_per_file']:.2f} ms, "
            f"system {p['system_ms_per_file']:.2f} ms; twine's: "
            f"{p['client_ms_per_file']:.2f} ms (against discard {d['client_ms_per_file']:.2f})"
        )
        # Milliseconds each upload takes beyond the client's own cycle.
        added = statistics.median(1000 / mine - 1000 / theirs for theirs, mine in pairs)
        allowed = statistics.median(1000 / (0.45 * theirs) - 1000 / theirs for theirs, _ in pairs)
        print(
            f"pypidesk adds {added:.2f} ms per small file to the discard server's cycle; "
            f"45% allows {allowed:.2f} ms"
        )
        growth = p["peak_rss_100mb_mib"] - p["rss_before_100mb_mib"]
        print(
            f"pypidesk RSS growth while receiving 100 MB: {growth:.1f} MiB (target <= 30); "
            f"idle after: {p['idle_rss_after_mib']:.1f} MiB (target <= 80)"
        )
    if probes and "discard" in rounds:
        print()
        for busy, (rate, client_ms) in probes.items():
            share = rate / statistics.median(rounds["discard"])
            print(
                f"discard server busy {busy:.0f} ms per upload: {rate:.1f} files/s, {share:.0%}; "
                f"twine CPU {client_ms:.2f} ms per file"
            )
    return 0


def file_creation_us(work: Path, count: int = 300) -> float:
    """Median microseconds to create an empty file where the servers will store theirs.

    About 20 at rest here; several times that within minutes of mass
    deletions (see the module docstring), when pypidesk's figures are low.
    """
    probe = work / "file-creation-probe"
    probe.mkdir()
    times = []
    for number in range(count):
        started = time.perf_counter()
        descriptor = os.open(probe / str(number), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        times.append(time.perf_counter() - started)
        os.close(descriptor)
    return statistics.median(times) * 1e6


def small_run(
    name: str, work: Path, small: list[Path], run: int = 0, busy_ms: float = 0.0
) -> tuple[float, float]:
    """One twine run of the small files against a new server: files/s, twine's CPU ms per file."""
    home = work / "home"
    home.mkdir(exist_ok=True)
    server, token = start(name, work, busy_ms, run)
    try:
        client = client_cpu_seconds()
        rate = len(small) / twine_upload(server, small, token, home)
        return rate, (client_cpu_seconds() - client) / len(small) * 1000
    finally:
        server.stop()


def latency_probe(work: Path, small: list[Path]) -> dict[float, tuple[float, float]]:
    """Small-file rates of servers that cost a fixed time per upload and nothing else.

    The share of the discard rate the upload target asks for is a budget of
    server time per upload on this machine; these rates show where it lies.
    The client's own time grows as well while it waits (on a virtual machine
    an idle CPU is slow to wake), which is why the budget is smaller than the
    arithmetic of the discard rate suggests.
    """
    rates = {}
    for busy_ms in (1.0, 2.0, 3.0):
        print(f"measuring a discard server busy {busy_ms:.0f} ms per upload ...", flush=True)
        rates[busy_ms] = small_run("discard", work, small, busy_ms=busy_ms)
    return rates


if __name__ == "__main__":
    sys.exit(main())
