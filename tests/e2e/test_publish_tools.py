"""pdm and poetry publishing to a live ``pypidesk serve``, as a new user would.

pdm sends every metadata field a file lacks as an empty string (PyPI treats
them as absent); poetry sends its own selection of fields. Both tools live in
a venv of their own (``scripts/setup --test`` makes ``.venv-publishers``):
their dependency trees pin versions the app's venv does not share.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pypidesk.index.db.models import File
from tests.conftest import LiveServer
from tests.e2e.upload_helpers import Accounts, clean_env, write_dists
from tests.index.upload.dists import make_sdist, make_wheel

pytestmark = pytest.mark.e2e

PUBLISHERS_VENV = Path(os.environ.get("PYPIDESK_TEST_PUBLISHERS_VENV", "/tmp/pypidesk-publishers"))
PYPROJECT = """\
[project]
name = "tiny-pkg"
version = "1.0"

[tool.poetry]
packages = []
"""


def _tool(name: str) -> Path:
    executable = PUBLISHERS_VENV / "bin" / name
    if not executable.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide {name} at {PUBLISHERS_VENV} (scripts/setup --test)")
        pytest.skip(
            f"{name} is not installed at {PUBLISHERS_VENV}; install it with "
            f"python3 -m venv {PUBLISHERS_VENV} && "
            f"{PUBLISHERS_VENV}/bin/pip install 'pdm>=2.29' 'poetry>=2'"
        )
    return executable


@pytest.fixture
def server(data_dir: Path) -> Iterator[LiveServer]:
    live = LiveServer(data_dir)
    try:
        live.wait_healthy()
        yield live
    finally:
        live.stop()


@pytest.fixture
def token(data_dir: Path) -> Iterator[tuple[Accounts, str]]:
    accounts = Accounts(data_dir)
    accounts.user("alice")
    yield accounts, accounts.token("alice", "ci")
    accounts.close()


def _project(tmp_path: Path) -> tuple[Path, list[str]]:
    project = tmp_path / "project"
    dists = [make_wheel(), make_sdist()]
    write_dists(project / "dist", *dists)
    (project / "pyproject.toml").write_text(PYPROJECT)
    return project, sorted(d.filename for d in dists)


def _stored(accounts: Accounts) -> list[str]:
    with accounts.database.read() as session:
        return sorted(session.scalars(select(File.filename)))


def test_pdm_publish_as_a_new_user(
    server: LiveServer, token: tuple[Accounts, str], tmp_path: Path
) -> None:
    pdm = _tool("pdm")
    accounts, secret = token
    project, filenames = _project(tmp_path)
    env = clean_env(tmp_path / "home")
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [
            *(str(pdm), "publish", "--no-build", "--repository", f"{server.url}/legacy/"),
            *("--username", "__token__", "--password", secret),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert _stored(accounts) == filenames


def test_poetry_publish(server: LiveServer, token: tuple[Accounts, str], tmp_path: Path) -> None:
    poetry = _tool("poetry")
    accounts, secret = token
    project, filenames = _project(tmp_path)
    env = clean_env(tmp_path / "home")
    env.pop("VIRTUAL_ENV", None)
    env.update(
        POETRY_REPOSITORIES_LOCAL_URL=f"{server.url}/legacy/",
        POETRY_HTTP_BASIC_LOCAL_USERNAME="__token__",
        POETRY_HTTP_BASIC_LOCAL_PASSWORD=secret,
        POETRY_NO_INTERACTION="1",
    )
    done = subprocess.run(
        [str(poetry), "publish", "--repository", "local", "--no-interaction"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert _stored(accounts) == filenames
