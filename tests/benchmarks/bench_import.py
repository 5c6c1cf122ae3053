"""Import benchmark: ``pypidesk admin import`` of a folder vs ``twine upload`` of the same files.

Run from the repository root (not collected by pytest):

    PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_import.py [--files 2000]

Both put the same small wheels (20 projects, PyPI's hourly limit of new
projects for one user, so that twine is not refused) into a live ``pypidesk
serve``, each into its own fresh data dir with the server running on it:
twine over HTTP with an API token, the import straight into the data dir
beside the server. Each is timed from process start to exit, the way a
person would run it. The rounds alternate, and the median is printed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.conftest import LiveServer  # noqa: E402
from tests.e2e.upload_helpers import Accounts, clean_env, twine  # noqa: E402
from tests.index.upload.dists import make_wheel  # noqa: E402

PROJECTS = 20


def write_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for number in range(count):
        dist = make_wheel(f"bench-{number % PROJECTS}", f"1.{number // PROJECTS}")
        path = folder / dist.filename
        path.write_bytes(dist.data)
        paths.append(path)
    return paths


def fresh_index(root: Path) -> tuple[LiveServer, str]:
    data_dir = root / "data"
    accounts = Accounts(data_dir)
    accounts.user("alice")
    token = accounts.token("alice", "bench")
    accounts.close()
    server = LiveServer(data_dir)
    server.wait_healthy(timeout=180)
    return server, token


def time_twine(root: Path, files: list[Path]) -> float:
    server, token = fresh_index(root)
    try:
        started = time.perf_counter()
        result = twine(server.url, files, home=root / "home", password=token)
        elapsed = time.perf_counter() - started
        assert result.returncode == 0, result.stdout + result.stderr
        return elapsed
    finally:
        server.stop()


def time_import(root: Path, folder: Path, count: int) -> float:
    server, _ = fresh_index(root)
    try:
        started = time.perf_counter()
        command = [sys.executable, "-m", "pypidesk", "admin", "--data-dir", str(server.data_dir),
                   "import", str(folder), "--owner", "alice"]  # fmt: skip
        env = clean_env(root / "home", keep_pythonpath=True)
        result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        elapsed = time.perf_counter() - started
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith(f"Imported {count} files"), result.stdout
        return elapsed
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        root = Path(tmp)
        files = write_files(root / "dists", args.files)
        twine_times, import_times = [], []
        for number in range(args.rounds):
            twine_times.append(time_twine(root / f"twine-{number}", files))
            import_times.append(time_import(root / f"import-{number}", root / "dists", args.files))
            print(
                f"round {number + 1}: twine {twine_times[-1]:.1f} s, "
                f"import {import_times[-1]:.1f} s",
                flush=True,
            )
    twine_s, import_s = statistics.median(twine_times), statistics.median(import_times)
    print(f"{args.files} small wheels, median of {args.rounds}:")
    print(f"  twine upload  {twine_s:6.1f} s  {args.files / twine_s:7.0f} files/s")
    print(f"  admin import  {import_s:6.1f} s  {args.files / import_s:7.0f} files/s")
    print(f"  import / twine speed: {twine_s / import_s:.2f}x (target: at least 1.00x)")


if __name__ == "__main__":
    main()
