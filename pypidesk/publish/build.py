"""Build an sdist and a wheel with pypa ``build``, as a child process.

A child rather than ``build``'s API: the backend runs arbitrary project code,
an isolated build installs packages with pip (honouring the user's own pip
configuration: their index, find-links), and Cancel must be able to stop all of
it. ``--no-isolation`` builds with what is installed, for offline use.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pypidesk.publish.errors import BuildFailedError
from pypidesk.publish.process import LineSink, run_streamed
from pypidesk.publish.source import is_dist_file, project_folder


def _snapshot(folder: Path) -> dict[str, int]:
    if not folder.is_dir():
        return {}
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if is_dist_file(p)}


def build_command(folder: Path, out_dir: Path, *, isolation: bool = True) -> list[str]:
    command = [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out_dir)]
    if not isolation:
        command.append("--no-isolation")
    return [*command, str(folder)]


async def build(
    folder: Path,
    *,
    on_line: LineSink,
    out_dir: Path | None = None,
    isolation: bool = True,
) -> list[Path]:
    """Build ``folder`` into ``out_dir`` (its ``dist/``); the files this build wrote.

    Files already in ``dist/`` from earlier builds are not returned: only those
    this run created or rewrote. Raises NotAProjectError, BuildFailedError.
    """
    folder = project_folder(folder)
    out_dir = out_dir or folder / "dist"
    before = _snapshot(out_dir)
    finished = await run_streamed(
        build_command(folder, out_dir, isolation=isolation), on_line=on_line, cwd=folder
    )
    if finished.returncode != 0:
        raise BuildFailedError(finished.returncode, finished.tail)
    after = _snapshot(out_dir)
    return sorted(out_dir / name for name, mtime in after.items() if before.get(name) != mtime)
