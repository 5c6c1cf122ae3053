"""StagingClient against a live index: join a live session, extend, remove a file, errors."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pypidesk.client.errors import IndexHTTPError
from pypidesk.client.staging import StagingClient
from tests.e2e.upload_helpers import write_dists
from tests.index.staging.live import Index
from tests.index.upload.dists import make_wheel


async def test_sessions_files_and_errors(index: Index, tmp_path: Path) -> None:
    token = index.alice.token
    assert token is not None
    [path] = write_dists(tmp_path, make_wheel())
    async with httpx.AsyncClient(timeout=60) as http:
        staging = StagingClient(http, index.root, token)
        session = await staging.create("tiny-pkg", "1.0")
        assert session.is_editable
        joined = await staging.create("tiny-pkg", "1.0")
        assert joined.url == session.url
        with pytest.raises(IndexHTTPError, match="in progress") as info:
            await staging.create("tiny-pkg", "1.0", join=False)
        assert info.value.status_code == 409
        staged = await staging.upload(session, path)
        assert (await staging.status(session)).files[path.name].status == "completed"
        longer = await staging.extend(session, 3600)
        assert longer.expires_at >= session.expires_at
        await staging.remove(staged)
        assert (await staging.status(session)).files == {}
        with pytest.raises(IndexHTTPError) as refused:
            await staging.create("bad name!", "not a version")
        assert "is not a valid project name" in refused.value.message
        assert "version: 'not a version' is not a valid version." in refused.value.message
        await staging.cancel(session)
        assert not (await staging.status(session)).is_editable

        release = await staging.create("tiny-pkg", "2.0")
        assert release.stage_url is not None
        assert release.token in release.stage_url
        [path2] = write_dists(tmp_path / "two", make_wheel(version="2.0"))
        seen: list[tuple[int, int]] = []
        await staging.upload(release, path2, progress=lambda *sent: seen.append(sent))
        size = path2.stat().st_size
        assert seen[-1] == (size, size)
        published = await staging.publish(release)
        assert published.status == "published"
        assert list(published.files) == [path2.name]
