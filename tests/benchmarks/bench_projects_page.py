"""The Projects page with 10,000 projects and a project with 1,000 releases.

Not collected by pytest. Run from the repository root:

    PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_projects_page.py

A small HTTP server in a thread answers as pypidesk does (maintainer API
flags, ``/api/v1/account/projects`` with 10,000 rows, ``/pypi/big/json`` with
1,000 releases of 3 files each). The page loads them on the qasync loop as in
the app. Printed, nothing asserted (the issue's budgets beside each figure):

- response-to-screen: parsing the answer, filling the model and painting the
  window, for the project list and for the big project (300 ms);
- per-keystroke filter time over the 10,000 (16 ms), typing a name;
- RSS above a bare shown QMainWindow's, with both loaded (80 MB);
- the longest stall of the event loop while the pages load, seen by a 5 ms
  QTimer (50 ms).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import httpx
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

PROJECTS = 10_000
RELEASES = 1_000
FILES_PER_RELEASE = 3


def rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _time(i: int) -> str:
    moment = dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i)
    return moment.isoformat().replace("+00:00", "Z")


def projects_body() -> bytes:
    rows = [
        {
            "project": f"project-{i:05d}",
            "role": "Owner" if i % 3 else "Maintainer",
            "latest_version": f"{i % 7}.{i % 11}.{i % 13}",
            "last_upload": _time(i),
        }
        for i in range(PROJECTS)
    ]
    return json.dumps(rows).encode()


def big_project_body() -> bytes:
    releases: dict[str, list[dict[str, Any]]] = {}
    for r in range(RELEASES):
        version = f"{r // 100}.{r % 100}"
        files = []
        for f in range(FILES_PER_RELEASE):
            name = f"big-{version}.tar.gz" if f == 0 else f"big-{version}-cp31{f}-none-any.whl"
            files.append(
                {
                    "filename": name,
                    "url": f"http://127.0.0.1/packages/{name}",
                    "packagetype": "sdist" if f == 0 else "bdist_wheel",
                    "python_version": "source" if f == 0 else f"cp31{f}",
                    "size": 10_000 + r * 10 + f,
                    "upload_time_iso_8601": _time(r),
                    "digests": {"sha256": f"{r:032x}{f:032x}"},
                    "yanked": r % 50 == 0,
                    "yanked_reason": "broken" if r % 50 == 0 else None,
                }
            )
        releases[version] = files
    latest = f"{(RELEASES - 1) // 100}.{(RELEASES - 1) % 100}"
    body = {
        "info": {
            "name": "big",
            "version": latest,
            "summary": "A project with many releases",
            "description": "# Big\n\n" + "Some *text*.\n\n" * 200,
            "description_content_type": "text/markdown",
        },
        "releases": releases,
        "last_serial": 1,
    }
    return json.dumps(body).encode()


class Answers(http.server.BaseHTTPRequestHandler):
    bodies: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.bodies.get(self.path.split("?")[0])
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-PyPI-Last-Serial", "1")
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("X-PyPI-Last-Serial", "1")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class StallProbe:
    """A 5 ms timer; the longest gap between its ticks is the loop's worst stall.

    Also the most CPU time the GUI thread spent between two ticks: on a
    machine shared with other work the wall-clock gap includes the time the
    process waited for a core, the CPU time does not.
    """

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        self.worst = 0.0
        self.worst_cpu = 0.0

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.worst = max(self.worst, now - self.last)
        self.worst_cpu = max(self.worst_cpu, cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def start(self) -> None:
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.worst = self.worst_cpu = 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


async def main(app: QApplication) -> None:
    from pypidesk.client import json_api
    from pypidesk.client.models import ProjectSummary
    from pypidesk.client.parsing import parse_time
    from pypidesk.client.profiles import local_profile
    from pypidesk.gui.pages.base import IndexContext
    from pypidesk.gui.pages.projects import ProjectsPage
    from pypidesk.gui.warm_up import warm_up

    bare = QMainWindow()
    bare.resize(1280, 800)
    bare.show()
    app.processEvents()
    base_rss = rss_mib()
    # As the app does after its first paint (pypidesk.gui.app); its one-time costs
    # are not the page's, so they are done before the page is measured.
    warming = warm_up()
    app.processEvents()
    if warming is not None:
        warming.join()

    Answers.bodies = {
        "/api/v1/flags": b'{"flags": {}}',
        "/api/v1/account/projects": projects_body(),
        "/pypi/big/json": big_project_body(),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"

    page = ProjectsPage()
    bare.setCentralWidget(page)
    app.processEvents()

    # 1. Response to screen, measured on the pieces after the bytes arrived.
    body = Answers.bodies["/api/v1/account/projects"]
    start = time.perf_counter()
    rows = json.loads(body)
    projects = [
        ProjectSummary(r["project"], r["role"], r["latest_version"], parse_time(r["last_upload"]))
        for r in rows
    ]
    parsed = time.perf_counter()
    page._context = IndexContext(local_profile(url), httpx.AsyncClient())  # for the empty state
    page._show_projects(projects, None)
    bare.grab()  # paint now
    list_on_screen = time.perf_counter()
    print(
        f"10,000 projects: parse {1000 * (parsed - start):.0f} ms, "
        f"model + paint {1000 * (list_on_screen - parsed):.0f} ms, "
        f"response to screen {1000 * (list_on_screen - start):.0f} ms (budget 300 ms)"
    )

    big = Answers.bodies["/pypi/big/json"]
    start = time.perf_counter()
    detail = json_api.parse_project(json.loads(big), 1)
    parsed = time.perf_counter()
    page.detail.show_detail(detail, "")
    bare.grab()
    detail_on_screen = time.perf_counter()
    print(
        f"1,000 releases x 3 files: parse {1000 * (parsed - start):.0f} ms, "
        f"model + paint {1000 * (detail_on_screen - parsed):.0f} ms, "
        f"response to screen {1000 * (detail_on_screen - start):.0f} ms (budget 300 ms)"
    )

    # 2. Typing in the filter box: each keystroke's filter and repaint.
    page.filter_edit.setText("")
    page.apply_filter()
    timings = []
    cpu_timings = []
    for text in ("p", "pr", "pro", "proj", "project-", "project-0", "project-01", "project-012"):
        start, start_cpu = time.perf_counter(), time.thread_time()
        page.filter_edit.setText(text)
        page.apply_filter()
        # What a keystroke repaints: the list (the rest of the window is unchanged).
        page.table.viewport().repaint()
        timings.append(1000 * (time.perf_counter() - start))
        cpu_timings.append(1000 * (time.thread_time() - start_cpu))
    page.filter_edit.setText("")
    page.apply_filter()
    print(
        f"filter per keystroke: median {statistics.median(timings):.1f} ms, "
        f"max {max(timings):.1f} ms (budget 16 ms); GUI-thread CPU median "
        f"{statistics.median(cpu_timings):.1f} ms, max {max(cpu_timings):.1f} ms "
        f"(first {cpu_timings[0]:.1f})"
    )

    # The same keystrokes as the app handles them: the list filters, and the event
    # loop paints the window (no repaint() call of the benchmark's own).
    app.processEvents()
    loop_timings = []
    for text in ("p", "pr", "pro", "proj", "project-", "project-0", "project-01", "project-012"):
        page.filter_edit.setText(text)
        start, start_cpu = time.perf_counter(), time.thread_time()
        page.apply_filter()
        app.processEvents()
        loop_timings.append(
            (1000 * (time.perf_counter() - start), 1000 * (time.thread_time() - start_cpu))
        )
    page.filter_edit.setText("")
    page.apply_filter()
    walls = [wall for wall, _cpu in loop_timings]
    cpus = [cpu for _wall, cpu in loop_timings]
    print(
        f"filter per keystroke, painted by the event loop: median {statistics.median(walls):.1f}"
        f" ms, max {max(walls):.1f} ms, first {walls[0]:.1f} ms; GUI-thread CPU median "
        f"{statistics.median(cpus):.1f} ms, max {max(cpus):.1f} ms, first {cpus[0]:.1f} ms"
    )

    # 3. The real path on the qasync loop, with the stall probe running.
    async with httpx.AsyncClient() as client:
        probe = StallProbe()
        probe.start()
        shown = asyncio.get_running_loop().create_future()
        page.project_shown.connect(lambda name: shown.done() or shown.set_result(name))
        start = time.perf_counter()
        await page.show_context(IndexContext(local_profile(url), client, "alice", "pypi-x"))
        await page.load_project("big")
        loaded = time.perf_counter()
        bare.grab()
        worst = probe.stop()
        print(
            f"full load over HTTP (list, then big project, description rendered): "
            f"{1000 * (loaded - start):.0f} ms; longest event-loop stall "
            f"{1000 * worst:.0f} ms (budget 50 ms), "
            f"in GUI-thread CPU {1000 * probe.worst_cpu:.0f} ms"
        )
        print(
            f"RSS: bare window {base_rss:.1f} MiB, with both loaded {rss_mib():.1f} MiB, "
            f"+{rss_mib() - base_rss:.1f} MiB (budget 80 MB)"
        )
        page.poll_timer.stop()
        await page.wait_idle()
    server.shutdown()


if __name__ == "__main__":
    import qasync  # after PySide6, as QT-NOTES says

    application = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(application, QApplication)
    qasync.run(main(application))
