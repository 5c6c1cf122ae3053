"""The Check step's rules on real built files and on small hand-made ones."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pypidesk.publish.checks import (
    FileCheck,
    OnTarget,
    check_file,
    name_and_version_problems,
    target_state,
    with_target,
)
from pypidesk.publish.distfile import DistInfo, inspect
from tests.index.upload.dists import make_sdist, make_wheel
from tests.publish.conftest import built_files
from tests.publish.projects import make_project


def written(folder: Path, filename: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_bytes(data)
    return path


def wheel_info(**changes: str) -> DistInfo:
    base = DistInfo(
        Path("demo_lib-1.0-py3-none-any.whl"), "demo-lib", "1.0", "bdist_wheel", 1, "a" * 64
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_filename_and_metadata_must_agree_and_follow_pep_440() -> None:
    assert name_and_version_problems(wheel_info()) == []
    assert "says project" in name_and_version_problems(wheel_info(name="other"))[0]
    assert "says version" in name_and_version_problems(wheel_info(version="2.0"))[0]
    assert "not a valid PEP 440" in name_and_version_problems(wheel_info(version="one"))[0]
    bad_name = wheel_info(path=Path("demo lib-1.0-py3-none-any.whl"))
    assert "not one an index accepts" in name_and_version_problems(bad_name)[0]
    sdist = dataclasses.replace(wheel_info(), path=Path("demo_lib-1.0.tar.gz"), filetype="sdist")
    assert name_and_version_problems(sdist) == []


def test_a_description_that_will_not_render_is_a_problem(tmp_path: Path) -> None:
    broken = "Title\n=====\n\n.. no-such-directive:: x\n\n`unclosed\n"
    dist = make_wheel(
        "rst-demo",
        "1.0",
        members={
            "rst_demo-1.0.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: rst-demo\nVersion: 1.0\n\n" + broken
            ).encode()
        },
    )
    check = check_file(written(tmp_path, dist.filename, dist.data))
    assert not check.ok
    assert "will not render on PyPI" in check.problems[0]
    assert check.warnings == (
        "`long_description_content_type` missing. defaulting to `text/x-rst`.",
    )


def test_a_file_that_is_no_distribution_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    check = check_file(written(tmp_path, "x-1.0-py3-none-any.whl", b"not a zip"))
    assert check.dist is None
    assert not check.ok
    assert check.filename == "x-1.0-py3-none-any.whl"
    sdist = make_sdist("y", "1.0")
    assert check_file(written(tmp_path, sdist.filename, sdist.data)).dist is not None


def test_what_the_target_has_decides_skip_or_refuse() -> None:
    dist = wheel_info()
    assert target_state(dist, {}) is OnTarget.NEW
    assert target_state(dist, {dist.filename: dist.sha256}) is OnTarget.SAME
    assert target_state(dist, {dist.filename: None}) is OnTarget.SAME  # no digest given
    assert target_state(dist, {dist.filename: "b" * 64}) is OnTarget.DIFFERENT
    assert target_state(dist, {"other-1.0.tar.gz": dist.sha256}) is OnTarget.DIFFERENT
    unreadable = FileCheck(Path("x.whl"), None, ("broken",))
    assert with_target(unreadable, {"x.whl": None}) is unreadable


async def test_a_built_project_passes_every_check(tmp_path: Path) -> None:
    files = await built_files(make_project(tmp_path / "ok", "ok-demo"))
    checks = [check_file(p) for p in files]
    assert all(c.ok and not c.warnings for c in checks)
    assert {inspect(p).kind for p in files} == {"wheel", "sdist"}
