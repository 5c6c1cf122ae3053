"""Checking and uploading real built files to a live pypidesk index and to pypiserver."""

from __future__ import annotations

import asyncio
import os
import zipfile
from pathlib import Path

import httpx
import pytest

from pypidesk.client.profiles import Profile, local_profile
from pypidesk.publish.checks import OnTarget, check_files
from pypidesk.publish.distfile import DistInfo, inspect
from pypidesk.publish.errors import ChangedFileError, UploadRefusedError
from pypidesk.publish.upload import LegacyPublisher, Outcome, Progress, hint_for
from tests.client.live_indexes import PypiServer
from tests.publish.conftest import built_files
from tests.publish.live import PublishIndex
from tests.publish.projects import make_project


def dists(paths: list[Path]) -> list[DistInfo]:
    return [inspect(p) for p in paths]


async def simple_files(http: httpx.AsyncClient, url: str, name: str) -> list[str]:
    response = await http.get(
        f"{url}/simple/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    if response.status_code == 404:
        return []
    return sorted(f["filename"] for f in response.json()["files"])


async def test_checked_files_upload_with_progress_and_then_are_said_to_be_there(
    users: PublishIndex, http: httpx.AsyncClient, tiny_dists: list[Path], project_name: str
) -> None:
    profile = local_profile(users.url)
    checks = await check_files(http, profile, tiny_dists, users.alice)
    assert [c.ok for c in checks] == [True, True]
    assert {c.on_target for c in checks} == {OnTarget.NEW}
    ticks: list[Progress] = []
    publisher = LegacyPublisher(http, profile.upload_url, username="alice", token=users.alice)
    assert publisher.all_at_once is False
    outcomes = await publisher.publish(dists(tiny_dists), ticks.append)
    assert outcomes == [Outcome.UPLOADED, Outcome.UPLOADED]
    assert await simple_files(http, users.url, project_name) == [p.name for p in tiny_dists]
    last = [t for t in ticks if t.index == 1][-1]
    assert (last.sent, last.count) == (last.total, 2)
    assert last.speed > 0
    again = await check_files(http, profile, tiny_dists, users.alice)
    assert {c.on_target for c in again} == {OnTarget.SAME}
    assert all(c.ok for c in again)
    # Sending the same bytes again is a no-op the index answers with 200.
    assert await publisher.publish(dists(tiny_dists[:1]), ticks.append) == [Outcome.UPLOADED]


async def test_other_bytes_under_a_used_name_are_flagged_then_refused_with_the_index_text(
    users: PublishIndex,
    http: httpx.AsyncClient,
    tiny_dists: list[Path],
    tmp_path: Path,
    project_name: str,
) -> None:
    profile = local_profile(users.url)
    publisher = LegacyPublisher(http, profile.upload_url, token=users.alice)
    await publisher.publish(dists(tiny_dists), lambda _p: None)
    changed = await built_files(
        make_project(tmp_path / "changed", project_name, module_body="VALUE = 43\n")
    )
    checks = await check_files(http, profile, changed, users.alice)
    assert {c.on_target for c in checks} == {OnTarget.DIFFERENT}
    assert all("will refuse" in " ".join(c.problems) for c in checks)
    with pytest.raises(UploadRefusedError) as refused:
        await publisher.publish(dists(changed), lambda _p: None)
    assert refused.value.status_code == 400
    assert refused.value.message.startswith("File already exists")
    assert "Bump the version" in refused.value.hint
    skipping = LegacyPublisher(http, profile.upload_url, token=users.alice, skip_existing=True)
    assert await skipping.publish(dists(changed), lambda _p: None) == [Outcome.SKIPPED] * 2


async def test_a_local_version_is_flagged_by_the_check_and_refused_by_the_index(
    users: PublishIndex, http: httpx.AsyncClient, tmp_path: Path, project_name: str
) -> None:
    files = await built_files(make_project(tmp_path / "local", project_name, "1.0+mine"))
    profile = local_profile(users.url)
    checks = await check_files(http, profile, files, users.alice)
    assert all(not c.ok and "local part" in " ".join(c.problems) for c in checks)
    with pytest.raises(UploadRefusedError) as refused:
        await LegacyPublisher(http, profile.upload_url, token=users.alice).publish(
            dists(files), lambda _p: None
        )
    assert "local version" in refused.value.message.lower()
    assert await simple_files(http, users.url, project_name) == []


async def test_no_permission_for_the_project_is_refused_with_the_index_text(
    users: PublishIndex, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    files = await built_files(make_project(tmp_path / "alpha", name="alpha", version="9.0"))
    profile = local_profile(users.url)
    with pytest.raises(UploadRefusedError) as refused:
        await LegacyPublisher(http, profile.upload_url, token=users.bob).publish(
            dists(files), lambda _p: None
        )
    assert refused.value.status_code == 403
    assert "isn't allowed to upload to project 'alpha'" in refused.value.message
    assert "maintainer" in refused.value.hint


async def test_cancel_in_the_middle_of_an_upload_leaves_nothing_on_the_index(
    users: PublishIndex, http: httpx.AsyncClient, tmp_path: Path, project_name: str
) -> None:
    folder = make_project(tmp_path / "big", project_name)
    # Incompressible data, so the wheel is large enough to be cut off mid-body.
    (folder / project_name.replace("-", "_") / "blob.bin").write_bytes(os.urandom(12 << 20))
    files = [p for p in await built_files(folder) if p.suffix == ".whl"]
    profile = local_profile(users.url)
    halfway = asyncio.Event()

    def tick(progress: Progress) -> None:
        if progress.sent > progress.total // 3:
            halfway.set()

    publisher = LegacyPublisher(http, profile.upload_url, token=users.alice)
    task = asyncio.ensure_future(publisher.publish(dists(files), tick))
    await asyncio.wait_for(halfway.wait(), 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await simple_files(http, users.url, project_name) == []
    # The index is fine afterwards: the same file goes through in full.
    assert await publisher.publish(dists(files), lambda _p: None) == [Outcome.UPLOADED]


async def test_a_file_changed_since_the_check_is_not_sent(
    users: PublishIndex, http: httpx.AsyncClient, tiny_dists: list[Path], project_name: str
) -> None:
    checked = dists(tiny_dists)
    with zipfile.ZipFile(tiny_dists[0], "a") as wheel:
        wheel.writestr("extra.py", "X = 1\n")
    publisher = LegacyPublisher(http, local_profile(users.url).upload_url, token=users.alice)
    with pytest.raises(ChangedFileError, match="changed on disk"):
        await publisher.publish(checked[:1], lambda _p: None)


async def test_the_same_publish_works_against_pypiserver(
    pypiserver_index: PypiServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    files = await built_files(make_project(tmp_path / "pps", name="pps-demo"))
    profile = Profile("pypiserver", pypiserver_index.url + "/simple/", pypiserver_index.url + "/")
    checks = await check_files(http, profile, files)
    assert all(c.ok and c.on_target is OnTarget.NEW for c in checks)
    publisher = LegacyPublisher(http, profile.upload_url, username="anyone", token="anything")
    assert await publisher.publish(dists(files), lambda _p: None) == [Outcome.UPLOADED] * 2
    response = await http.get(pypiserver_index.url + "/simple/pps-demo/")
    assert all(p.name in response.text for p in files)
    checks = await check_files(http, profile, files)
    assert {c.on_target for c in checks} == {OnTarget.SAME}
    # pypiserver answers a second upload with 409: skip-existing takes it as twine does.
    skipping = LegacyPublisher(http, profile.upload_url, token="x", skip_existing=True)
    assert await skipping.publish(dists(files), lambda _p: None) == [Outcome.SKIPPED] * 2


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (308, "Permanent Redirect", "/legacy/"),
        (403, "Invalid or non-existent authentication information.", "Sign in again"),
        (400, "'x' is an invalid value for Version.", "PEP 440"),
        (502, "Bad Gateway", "problem of its own"),
        (400, "Invalid distribution file.", "Fix what the index says"),
    ],
)
def test_each_refusal_comes_with_one_next_step(status: int, message: str, expected: str) -> None:
    assert expected in hint_for(status, message)
