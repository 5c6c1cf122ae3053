"""Building with the real pypa build: files, a streamed log, failures that say what to check."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pypidesk.publish.build import build
from pypidesk.publish.errors import BuildFailedError, NotAProjectError
from pypidesk.publish.source import dist_files, project_folder
from tests.publish.projects import make_project


async def test_a_project_builds_an_sdist_and_a_wheel_and_streams_its_log(tmp_path: Path) -> None:
    folder = make_project(tmp_path / "tiny")
    (folder / "dist").mkdir()
    (folder / "dist" / "tiny_demo-0.0.1-py3-none-any.whl").write_bytes(b"an old build")
    lines: list[str] = []
    files = await build(folder, on_line=lines.append, isolation=False)
    assert [f.name for f in files] == [
        "tiny_demo-0.1.0-py3-none-any.whl",
        "tiny_demo-0.1.0.tar.gz",
    ]
    assert all(f.parent == folder / "dist" for f in files)
    assert any("Successfully built" in line for line in lines)


async def test_a_failing_build_raises_with_the_last_lines_of_its_log(tmp_path: Path) -> None:
    folder = make_project(tmp_path / "broken", build_backend="no_such_backend.build")
    with pytest.raises(BuildFailedError) as caught:
        await build(folder, on_line=lambda _line: None, isolation=False)
    assert caught.value.returncode != 0
    assert any("no_such_backend" in line for line in caught.value.log_tail)
    assert "pyproject.toml" in str(caught.value)


async def test_a_folder_without_a_project_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(NotAProjectError, match=r"neither pyproject\.toml nor setup\.py"):
        await build(tmp_path, on_line=lambda _line: None)
    (tmp_path / "setup.py").write_text("")
    assert project_folder(tmp_path).name == tmp_path.name


async def test_cancel_stops_the_build_process(tmp_path: Path) -> None:
    folder = make_project(tmp_path / "slow")
    # A backend that hangs: the build only ends if Cancel kills it.
    (folder / "slow_backend.py").write_text(
        "import time\n"
        "def get_requires_for_build_sdist(c=None):\n    print('waiting', flush=True)\n"
        "    time.sleep(600)\n    return []\n"
    )
    text = (folder / "pyproject.toml").read_text()
    text = text.replace(
        'build-backend = "hatchling.build"', 'build-backend = "slow_backend"\nbackend-path = ["."]'
    )
    (folder / "pyproject.toml").write_text(text)
    started = asyncio.Event()
    task = asyncio.ensure_future(
        build(
            folder,
            on_line=lambda line: started.set() if "waiting" in line else None,
            isolation=False,
        )
    )
    await asyncio.wait_for(started.wait(), 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 30)


def test_dropped_paths_keep_only_distribution_files(tmp_path: Path) -> None:
    folder = tmp_path / "dist"
    folder.mkdir()
    for name in ("a-1.0.tar.gz", "a-1.0-py3-none-any.whl", "notes.txt"):
        (folder / name).write_bytes(b"x")
    loose = tmp_path / "b-2.0.zip"
    loose.write_bytes(b"x")
    assert [p.name for p in dist_files([folder, loose, tmp_path / "notes.txt"])] == [
        "a-1.0-py3-none-any.whl",
        "a-1.0.tar.gz",
        "b-2.0.zip",
    ]
