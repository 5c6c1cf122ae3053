"""A staged release end to end: the client stages three files, pip and uv install them from
the stage, nothing shows elsewhere until the publish shows all three; a cancel leaves nothing.
"""

from __future__ import annotations

import xmlrpc.client
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from pypidesk.client.staging import StagingClient
from pypidesk.index.db.models import File, Project, StagingFile
from tests.e2e.installers import clean_env, fresh_venv, pip, run, uv_pip
from tests.e2e.upload_helpers import write_dists
from tests.index.staging.live import Index
from tests.index.upload.dists import make_sdist, make_wheel

pytestmark = pytest.mark.e2e


def _installed_version(python: Path, env: dict[str, str]) -> str:
    code = "import importlib.metadata as m; print(m.version('tiny-pkg'))"
    return run([str(python), "-c", code], env).strip()


def _changelog(url: str) -> list[tuple[str, str, int, str, int]]:
    with xmlrpc.client.ServerProxy(f"{url}/pypi") as proxy:
        return list(proxy.changelog_since_serial(0))  # type: ignore[arg-type]


def _stored_files(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "packages").rglob("*") if p.is_file())


async def test_stage_install_publish_and_cancel(index: Index, tmp_path: Path) -> None:
    dists = [make_wheel(), make_sdist(), make_wheel(tag="py2.py3-none-any")]
    paths = write_dists(tmp_path / "dist", *dists)
    token = index.alice.token
    assert token is not None
    async with httpx.AsyncClient(timeout=60) as http:
        staging = StagingClient(http, index.root, token)
        session = await staging.create("tiny-pkg", "1.0")
        seen: list[tuple[int, int]] = []
        for path in paths:
            staged = await staging.upload(session, path, progress=lambda *p: seen.append(p))
            assert staged.status == "completed"
        assert seen[-1] == (paths[-1].stat().st_size, paths[-1].stat().st_size)
        session = await staging.status(session)
        assert sorted(session.files) == sorted(d.filename for d in dists)
        assert session.stage_url is not None

        # The stage installs with pip and uv; nothing is public yet.
        env = clean_env(tmp_path / "home")
        for installer, name in ((pip, "pip"), (uv_pip, "uv")):
            python = fresh_venv(tmp_path / f"venv-{name}", env)
            installer(python, env, "install", "--index-url", session.stage_url, "tiny-pkg==1.0")
            assert _installed_version(python, env) == "1.0"
        assert (await http.get(f"{index.server.url}/simple/tiny-pkg/")).status_code == 404
        assert (await http.get(f"{index.server.url}/pypi/tiny-pkg/json")).status_code == 404
        assert _changelog(index.server.url) == []
        assert _stored_files(index.server.data_dir) == []

        published = await staging.publish(session)
        assert published.status == "published"
        page = (await http.get(f"{index.server.url}/simple/tiny-pkg/")).text
        assert all(d.filename in page for d in dists)
        urls = (await http.get(f"{index.server.url}/pypi/tiny-pkg/json")).json()["urls"]
        assert sorted(u["filename"] for u in urls) == sorted(d.filename for d in dists)
        added = [e for e in _changelog(index.server.url) if e[3].startswith("add ")]
        assert sorted(e[3].rpartition(" ")[2] for e in added if "file" in e[3]) == sorted(
            d.filename for d in dists
        )
        serials = [e[4] for e in _changelog(index.server.url)]
        assert serials == list(range(serials[0], serials[0] + len(serials)))
        assert not (index.server.data_dir / "staging" / session.token).exists()

        # Cancel: no staged byte on disk, no record but the session's status.
        other = await staging.create("other-pkg", "2.0")
        for dist in (make_wheel("other-pkg", "2.0"), make_sdist("other-pkg", "2.0")):
            [path] = write_dists(tmp_path / "other", dist)
            await staging.upload(other, path)
        assert (index.server.data_dir / "staging" / other.token).is_dir()
        before = _stored_files(index.server.data_dir)
        await staging.cancel(other)
        assert (await staging.status(other)).status == "canceled"
    assert not (index.server.data_dir / "staging" / other.token).exists()
    assert _stored_files(index.server.data_dir) == before
    with index.accounts.database.read() as db:
        assert db.scalar(select(Project).where(Project.normalized_name == "other-pkg")) is None
        assert db.scalar(select(func.count()).select_from(File)) == len(dists)
        assert (
            db.scalar(
                select(func.count())
                .select_from(StagingFile)
                .where(StagingFile.filename.like("other%"))
            )
            == 0
        )
