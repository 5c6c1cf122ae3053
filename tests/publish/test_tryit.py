"""Try it: a throwaway venv installs the published release from the index and imports it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pypidesk.client.profiles import local_profile
from pypidesk.publish.distfile import inspect
from pypidesk.publish.errors import TryItError
from pypidesk.publish.tryit import TryItOptions, install_command, try_release
from pypidesk.publish.upload import LegacyPublisher
from tests.publish.conftest import built_files
from tests.publish.live import PublishIndex
from tests.publish.projects import make_project


async def publish(index: PublishIndex, http: httpx.AsyncClient, files: list[Path]) -> None:
    publisher = LegacyPublisher(http, local_profile(index.url).upload_url, token=index.alice)
    await publisher.publish([inspect(p) for p in files], lambda _p: None)


async def test_the_release_installs_from_the_index_imports_and_runs_its_command(
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    tiny_dists: list[Path],
    project_name: str,
    tmp_path: Path,
) -> None:
    await publish(publish_index, http, tiny_dists)
    lines: list[str] = []
    result = await try_release(
        local_profile(publish_index.url).index_url,
        project_name,
        "0.1.0",
        workdir=tmp_path / "try",
        on_line=lines.append,
        options=TryItOptions(command=f"{project_name}-hello"),
    )
    assert result.ok, lines
    assert result.imported == (project_name.replace("-", "_"),)
    assert result.command_returncode == 0
    assert f"hello from {project_name}" in lines
    assert any("--no-deps" in line for line in lines)


async def test_a_module_that_fails_to_import_is_a_failed_result(
    publish_index: PublishIndex, http: httpx.AsyncClient, tmp_path: Path, project_name: str
) -> None:
    folder = make_project(
        tmp_path / "bad", project_name, module_body="import no_such_dependency\n"
    )
    await publish(publish_index, http, await built_files(folder))
    lines: list[str] = []
    result = await try_release(
        local_profile(publish_index.url).index_url,
        project_name,
        "0.1.0",
        workdir=tmp_path / "try",
        on_line=lines.append,
        options=TryItOptions(command="no-such-command-here"),
    )
    assert not result.ok
    assert result.imported == ()
    assert "ModuleNotFoundError" in result.failed_imports[0]
    assert result.command_returncode == 127


async def test_without_a_command_the_import_check_decides(
    publish_index: PublishIndex,
    http: httpx.AsyncClient,
    tiny_dists: list[Path],
    project_name: str,
    tmp_path: Path,
) -> None:
    await publish(publish_index, http, [p for p in tiny_dists if p.suffix == ".whl"])
    result = await try_release(
        local_profile(publish_index.url).index_url,
        project_name,
        "0.1.0",
        workdir=tmp_path / "try",
        on_line=lambda _line: None,
    )
    assert result.ok
    assert result.command_returncode is None


async def test_a_release_the_index_lacks_is_a_clear_error(
    publish_index: PublishIndex, tmp_path: Path
) -> None:
    with pytest.raises(TryItError, match=r"could not install nothing-here 1\.0"):
        await try_release(
            local_profile(publish_index.url).index_url,
            "nothing-here",
            "1.0",
            workdir=tmp_path / "try",
            on_line=lambda _line: None,
        )


def test_dependencies_come_from_the_upstream_only_when_allowed(tmp_path: Path) -> None:
    python = tmp_path / "python"
    plain = install_command(python, "http://i/simple/", "a==1", TryItOptions())
    assert "--no-deps" in plain
    assert "--extra-index-url" not in plain
    deps = install_command(
        python, "http://i/simple/", "a==1", TryItOptions(with_dependencies=True)
    )
    assert deps[deps.index("--extra-index-url") + 1] == "https://pypi.org/simple/"
    assert "--no-deps" not in deps
