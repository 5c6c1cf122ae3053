"""Staged publishing on a live pypidesk index: who offers sessions, release, Cancel, refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from pypidesk.client.errors import ClientError, IndexHTTPError
from pypidesk.client.profiles import Profile, local_profile
from pypidesk.client.staging import StagingClient
from pypidesk.publish.distfile import DistInfo, inspect
from pypidesk.publish.staged import StagedPublisher, offers_sessions, staging_root
from pypidesk.publish.upload import Outcome, Progress
from tests.client.live_indexes import PypiServer
from tests.publish.live import PublishIndex
from tests.publish.test_upload import simple_files


def publisher(index: PublishIndex, http: httpx.AsyncClient) -> StagedPublisher:
    return StagedPublisher(
        StagingClient(http, staging_root(local_profile(index.url)), index.alice)
    )


async def test_the_local_index_offers_sessions_and_pypiserver_does_not(
    users: PublishIndex, http: httpx.AsyncClient, pypiserver_index: PypiServer
) -> None:
    assert staging_root(local_profile(users.url)) == users.url + "/upload/2.0-draft/"
    assert await offers_sessions(http, staging_root(local_profile(users.url)))
    team = Profile("Team", pypiserver_index.url + "/simple/", pypiserver_index.url + "/")
    assert not await offers_sessions(http, staging_root(team))
    # An index that does not answer is a legacy one; the upload then says what is wrong.
    assert not await offers_sessions(http, "http://127.0.0.1:9/upload/2.0-draft/")
    # The index's own pages are no upload endpoint, whatever they answer.
    assert not await offers_sessions(http, users.url + "/simple/")


async def test_files_stage_with_progress_and_appear_together_on_release(
    users: PublishIndex, http: httpx.AsyncClient, tiny_dists: list[Path], project_name: str
) -> None:
    staged = publisher(users, http)
    assert staged.stage_url is None
    ticks: list[Progress] = []
    files = [inspect(p) for p in tiny_dists]
    assert await staged.publish(files[:1], ticks.append) == [Outcome.STAGED]
    assert await staged.publish(files[1:], ticks.append) == [Outcome.STAGED]
    assert {t.dist for t in ticks} == set(files)
    assert all(t.sent == t.total == t.dist.size for t in ticks if t.sent == t.total)
    assert staged.stage_url is not None
    assert await simple_files(http, users.url, project_name) == []
    published = await staged.release()
    assert published.status == "published"
    assert staged.session is None
    assert await simple_files(http, users.url, project_name) == sorted(p.name for p in tiny_dists)
    with pytest.raises(RuntimeError):
        await staged.release()
    await staged.discard()  # nothing staged: nothing to do


async def test_cancel_mid_stage_discards_the_whole_session(
    users: PublishIndex, http: httpx.AsyncClient, tiny_dists: list[Path], project_name: str
) -> None:
    staged = publisher(users, http)
    files = [inspect(p) for p in tiny_dists]
    await staged.publish(files[:1], lambda _p: None)
    session = staged.session
    assert session is not None
    task: asyncio.Task[list[Outcome]] | None = None

    def cancel_at_first_tick(_progress: Progress) -> None:
        assert task is not None
        task.cancel()

    task = asyncio.ensure_future(staged.publish(files[1:], cancel_at_first_tick))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert staged.session is None
    assert (await staged.staging.status(session)).status == "canceled"
    assert await simple_files(http, users.url, project_name) == []


async def test_a_refused_file_discards_the_session_and_says_why(
    users: PublishIndex, http: httpx.AsyncClient, tiny_dists: list[Path], tmp_path: Path
) -> None:
    staged = publisher(users, http)
    good = inspect(tiny_dists[0])
    # alice owns "alpha": bob may not stage a release of it.
    bob = StagedPublisher(StagingClient(http, staging_root(local_profile(users.url)), users.bob))
    alpha = DistInfo(tmp_path / "alpha-1.0.tar.gz", "alpha", "1.0", "sdist", 1, "0" * 64)
    alpha.path.write_bytes(b"x")
    with pytest.raises(ClientError):
        await bob.publish([alpha], lambda _p: None)
    assert bob.session is None
    # A file the session refuses (not a distribution) after a good one: the session goes.
    await staged.publish([good], lambda _p: None)
    session = staged.session
    assert session is not None
    broken = tmp_path / f"{good.name.replace('-', '_')}-{good.version}-py3-none-any.whl"
    broken.write_bytes(b"not a zip")
    bad = DistInfo(broken, good.name, good.version, "bdist_wheel", 9, "0" * 64)
    with pytest.raises(IndexHTTPError):
        await staged.publish([bad], lambda _p: None)
    assert staged.session is None
    assert (await staged.staging.status(session)).status == "canceled"
