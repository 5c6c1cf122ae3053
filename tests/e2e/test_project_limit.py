"""PyPI's 20 new projects per user per hour, and ``serve --new-projects-per-hour 0`` without it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer
from tests.e2e.upload_helpers import Accounts, twine, write_dists
from tests.index.upload.dists import make_wheel

pytestmark = pytest.mark.e2e


def _upload_projects(data_dir: Path, count: int, serve_args: list[str], home: Path) -> str:
    """Upload ``count`` new projects in one twine run with one token; twine's output."""
    accounts = Accounts(data_dir)
    try:
        accounts.user("alice")
        token = accounts.token("alice", "bulk")
    finally:
        accounts.close()
    files = write_dists(
        home / "dist", *(make_wheel(f"project-{n:03}", "1.0") for n in range(count))
    )
    server = LiveServer(data_dir, serve_args)
    try:
        server.wait_healthy()
        result = twine(server.url, sorted(files), home=home, password=token)
        listed = httpx.get(
            f"{server.url}/simple/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
        ).json()["projects"]
    finally:
        server.stop()
    output = result.stdout + result.stderr
    assert len(listed) == (count if result.returncode == 0 else 20), output
    return output


def test_an_operator_lifts_the_limit_for_a_bulk_upload(tmp_path: Path) -> None:
    output = _upload_projects(
        tmp_path / "data", 100, ["--new-projects-per-hour", "0"], tmp_path / "home"
    )
    assert "Too many new projects" not in output


def test_by_default_the_twenty_first_project_is_refused(tmp_path: Path) -> None:
    output = _upload_projects(tmp_path / "data", 21, [], tmp_path / "home")
    text = " ".join(output.split())
    assert "HTTPError: 429 Too Many Requests" in text
    assert text.endswith("Too many new projects created")
    assert "project_020-1.0-py3-none-any.whl" in output
