"""twine against a server whose records are in PostgreSQL: the upload path's plain SQL there."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from tests.conftest import LiveServer
from tests.e2e.upload_helpers import Accounts, twine, write_dists
from tests.index.upload.dists import make_sdist, make_wheel

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def test_twine_uploads_to_a_postgresql_backed_server(
    data_dir: Path, postgres_url: str, tmp_path: Path
) -> None:
    accounts = Accounts(data_dir, postgres_url)
    accounts.user("alice")
    token = accounts.token("alice", "ci")
    accounts.close()
    server = LiveServer(data_dir, ["--database-url", postgres_url])
    try:
        server.wait_healthy()
        # A body over 1 MiB is admitted (flags, token) before it is read.
        big = make_wheel("pg-pkg", "1.0", payload=os.urandom(2 * 1024 * 1024))
        files = write_dists(tmp_path / "dist", big, make_sdist("pg-pkg", "1.0"))
        result = twine(server.url, files, home=tmp_path, password=token)
        assert result.returncode == 0, result.stdout + result.stderr
        again = twine(server.url, files, home=tmp_path, password=token)
        assert again.returncode == 0, again.stdout + again.stderr  # identical: no change

        page = httpx.get(f"{server.url}/simple/pg-pkg/", headers={"Accept": SIMPLE_JSON})
        assert page.status_code == 200
        assert sorted(f["filename"] for f in page.json()["files"]) == sorted(
            path.name for path in files
        )
        assert httpx.get(server.url + "/_health").json()["serial"] == 5
        other_signature = token[:-12] + ("B" if token[-12] == "A" else "A") + token[-11:]
        wrong = twine(server.url, files[:1], home=tmp_path, password=other_signature)
        assert wrong.returncode != 0
        assert "Invalid API Token: signatures do not match" in wrong.stdout + wrong.stderr
    finally:
        assert server.stop() == 0
