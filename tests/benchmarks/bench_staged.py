"""Staged uploads (PEP 694 sessions) against legacy uploads, with the same HTTP client.

Run from the repository root (not collected by pytest):

    PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_staged.py [--files 200] [--rounds 3]

One ``pypidesk serve`` child; one ``httpx.AsyncClient`` for both paths:

- N small wheels uploaded through ``POST /legacy/`` (the multipart form twine
  sends), then N others staged into one session with
  :class:`pypidesk.client.staging.StagingClient` (create a file upload
  session, send the bytes, complete: three requests a file); the ratio of the
  two times is the target's (at most 1.25), the median of alternating rounds;
- the publish of a 50-file session, beside 5 legacy uploads of small files.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pypidesk.client.staging import StagingClient  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402
from tests.e2e.upload_helpers import Accounts  # noqa: E402
from tests.index.upload.dists import Dist, make_wheel  # noqa: E402

STAGING = "/upload/2.0-draft/"


def tagged_wheels(project: str, count: int, work: Path) -> list[tuple[Dist, Path]]:
    """``count`` small wheels of one release, told apart by their tags."""
    out = work / project
    out.mkdir(parents=True)
    made = []
    for number in range(count):
        dist = make_wheel(project, "1.0", tag=f"cp{number + 300}-none-any")
        path = out / dist.filename
        path.write_bytes(dist.data)
        made.append((dist, path))
    return made


async def legacy(http: httpx.AsyncClient, url: str, token: str, dists: list[Dist]) -> float:
    """``POST /legacy/`` each file, as twine's form; the seconds it took."""
    auth = "Basic " + base64.b64encode(f"__token__:{token}".encode()).decode()
    start = time.perf_counter()
    for dist in dists:
        response = await http.post(
            f"{url}/legacy/",
            data=dist.form(),
            files={"content": (dist.filename, dist.data, "application/octet-stream")},
            headers={"Authorization": auth},
        )
        response.raise_for_status()
    return time.perf_counter() - start


async def session(
    http: httpx.AsyncClient, url: str, token: str, project: str, paths: list[Path]
) -> tuple[float, float]:
    """Stage ``paths`` into one session, then publish it; (staging, publishing) seconds."""
    client = StagingClient(http, url + STAGING, token)
    created = await client.create(project, "1.0")
    start = time.perf_counter()
    for path in paths:
        await client.upload(created, path)
    staged_at = time.perf_counter()
    published = await client.publish(created)
    assert published.status == "published"
    return staged_at - start, time.perf_counter() - staged_at


async def run(files: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data_dir = work / "data"
        data_dir.mkdir()
        accounts = Accounts(data_dir)
        accounts.user("bench")
        token = accounts.token("bench", "bench")
        accounts.close()
        server = LiveServer(data_dir)
        try:
            server.wait_healthy()
            async with httpx.AsyncClient(timeout=60) as http:
                await _rounds(http, server.url, token, work, (files, rounds))
                fifty = [p for _, p in tagged_wheels("fifty-pkg", 50, work)]
                # Existing projects on both sides: no round pays for registering a name.
                await legacy(http, server.url, token, [make_wheel("fifty-pkg", "0.1")])
                await legacy(http, server.url, token, [make_wheel("five-pkg", "0.1")])
                _, publish_s = await session(http, server.url, token, "fifty-pkg", fifty)
                five = [d for d, _ in tagged_wheels("five-pkg", 5, work)]
                five_s = await legacy(http, server.url, token, five)
                print(
                    f"publish of a 50-file session: {publish_s * 1000:.1f} ms; "
                    f"5 legacy uploads: {five_s * 1000:.1f} ms (target: the publish is faster)"
                )
        finally:
            server.stop()


async def _rounds(
    http: httpx.AsyncClient, url: str, token: str, work: Path, size: tuple[int, int]
) -> None:
    """Alternate legacy and session uploads of ``files`` wheels, ``rounds`` times."""
    files, rounds = size
    ratios = []
    for number in range(rounds):
        old = [d for d, _ in tagged_wheels(f"legacy-{number}", files, work)]
        new = [p for _, p in tagged_wheels(f"staged-{number}", files, work)]
        await legacy(http, url, token, [make_wheel(f"legacy-{number}", "0.1")])
        await legacy(http, url, token, [make_wheel(f"staged-{number}", "0.1")])
        legacy_s = await legacy(http, url, token, old)
        staging_s, publish_s = await session(http, url, token, f"staged-{number}", new)
        ratios.append(staging_s / legacy_s)
        print(
            f"round {number + 1}, {files} files: legacy {legacy_s / files * 1000:.2f} ms/file, "
            f"session {staging_s / files * 1000:.2f} ms/file "
            f"(+ publish {publish_s * 1000:.0f} ms), ratio {staging_s / legacy_s:.2f}"
        )
    print(f"median session/legacy ratio: {statistics.median(ratios):.2f} (target <= 1.25)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.files, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
