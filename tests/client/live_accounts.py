"""Users, sign-in tokens and projects on a live ``pypidesk serve``, made as a person would.

Users through ``pypidesk admin create-user`` (password on stdin), tokens
through ``POST /api/v1/sign-in``, projects by a real upload to ``/legacy/``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import LiveServer
from tests.index.upload.dists import Dist, make_wheel

PASSWORD = "correct horse battery"


def create_user(data_dir: Path, username: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pypidesk",
            "admin",
            "--data-dir",
            str(data_dir),
            "create-user",
            username,
            "--email",
            f"{username}@example.org",
        ],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        check=True,
        timeout=60,
    )


def sign_in(url: str, username: str, machine: str = "laptop") -> str:
    """A manage+upload token of ``username``, as the app's sign-in makes it."""
    response = httpx.post(
        url + "/api/v1/sign-in",
        json={"username": username, "password": PASSWORD, "token_name": machine},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def upload(url: str, token: str, dist: Dist) -> httpx.Response:
    """One file to ``/legacy/`` as twine sends it (a real multipart POST)."""
    return httpx.post(
        url + "/legacy/",
        data=dist.form(),
        files={"content": (dist.filename, dist.data, "application/octet-stream")},
        auth=("__token__", token),
        timeout=60,
    )


def create_project(url: str, token: str, name: str, version: str = "1.0") -> None:
    response = upload(url, token, make_wheel(name, version))
    assert response.status_code == 200, response.reason_phrase


class TwoUsers:
    """alice (Owner of ``alpha`` and ``beta``) and bob (no project), each signed in."""

    def __init__(self, server: LiveServer) -> None:
        self.url = server.url
        self.data_dir = server.data_dir
        for name in ("alice", "bob"):
            create_user(server.data_dir, name)
        self.alice = sign_in(server.url, "alice")
        self.bob = sign_in(server.url, "bob")
        for project in ("alpha", "beta"):
            create_project(server.url, self.alice, project)
