"""Cold start: process start to the first paint of the main window, pypidesk vs bare PySide6.

Not collected by pytest. Run from the repository root, on the offscreen
platform (default) or under Xvfb with the xcb platform:

    PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_startup.py [--runs 15]
    PYTHONPATH=$PWD xvfb-run -a .venv/bin/python tests/benchmarks/bench_startup.py --platform xcb

Each run starts a fresh interpreter. The bare program imports PySide6 and
shows one empty QMainWindow; pypidesk runs exactly as ``pypidesk --config-dir
DIR`` does (``pypidesk.cli.main``), with a hook that only watches the main
window. Both print ``time.monotonic()`` (one clock for every process on
Linux) at the first Paint event their window receives; the parent subtracts
its own reading taken just before starting the child. Runs alternate between
the two programs so that a slow moment of the machine hits both. Medians and
the ratio are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The Paint watcher both children share; ``then`` is what happens after the first paint.
WATCHER = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer

class FirstPaint(QObject):
    def __init__(self, window, then):
        super().__init__(window)
        self.then = then
        self.seen = False

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            print(f"FIRST-PAINT {time.monotonic()!r} {time.process_time()!r}", flush=True)
            QTimer.singleShot(0, self.then)
        return False
"""

BARE = (
    WATCHER
    + """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
watcher = FirstPaint(window, app.quit)
window.installEventFilter(watcher)
window.show()
app.exec()
"""
)

PYPIDESK = (
    WATCHER
    + """
from pypidesk.gui import main_window

original_show = main_window.MainWindow.show

def show(self):
    # Closing runs the app's own shutdown (the local index stops).
    self._first_paint = FirstPaint(self, self.close)
    self.installEventFilter(self._first_paint)
    original_show(self)

main_window.MainWindow.show = show
from pypidesk.cli import main
sys.exit(main(["--config-dir", sys.argv[1]]))
"""
)


def one_run(program: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from just before the child starts to its window's first paint; its CPU seconds.

    The CPU time (every thread of the child, up to the first paint) does not
    count the time the child waited for a core, so it compares runs on a
    machine busy with other work; the interpreter's own start before Python
    code runs is not in it.
    """
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", program, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith("FIRST-PAINT "):
            _, painted, cpu = line.split()
            return float(painted) - start, float(cpu)
    raise RuntimeError(f"no first paint (exit {result.returncode}):\n{result.stderr[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each program")
    parser.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM (offscreen, xcb)")
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": args.platform, "QT_API": "pyside6"}
    # An installed app has its bytecode (pip compiles it, PyInstaller bundles it);
    # where the machine turns bytecode caches off, every run would compile
    # pypidesk's modules from source (about 10 ms before the first paint), which
    # the bare program, all in site-packages, never does. The warm-up run below
    # writes the caches.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    bare: list[float] = []
    app: list[float] = []
    bare_cpu: list[float] = []
    app_cpu: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        config_dir = str(Path(tmp) / "config")
        env.update(XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp, XDG_STATE_HOME=tmp)
        # One warm-up of each: the page cache holds the libraries afterwards, as on
        # a machine where the app was opened before.
        one_run(BARE, [], env)
        one_run(PYPIDESK, [config_dir], env)
        for _ in range(args.runs):
            for program, extra, walls, cpus in (
                (BARE, [], bare, bare_cpu),
                (PYPIDESK, [config_dir], app, app_cpu),
            ):
                wall, cpu = one_run(program, extra, env)
                walls.append(wall)
                cpus.append(cpu)
    bare_ms = statistics.median(bare) * 1000
    app_ms = statistics.median(app) * 1000
    print(f"platform {args.platform}, {args.runs} alternating runs each, medians:")
    print(f"  bare PySide6 QMainWindow  {bare_ms:7.0f} ms  (min {min(bare) * 1000:.0f})")
    print(f"  pypidesk main window      {app_ms:7.0f} ms  (min {min(app) * 1000:.0f})")
    print(f"  ratio                     {app_ms / bare_ms:7.2f}x  (goal: at most 1.5x)")
    bare_cpu_ms = statistics.median(bare_cpu) * 1000
    app_cpu_ms = statistics.median(app_cpu) * 1000
    print(
        f"  CPU to the first paint: bare {bare_cpu_ms:.0f} ms, pypidesk {app_cpu_ms:.0f} ms, "
        f"ratio {app_cpu_ms / bare_cpu_ms:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
