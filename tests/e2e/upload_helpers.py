"""Running the real twine and uv against a live server, with users and tokens made directly."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from pypidesk.index.auth import caveats
from pypidesk.index.db.engine import Database
from pypidesk.index.db.migrate import upgrade
from pypidesk.index.db.models import ApiToken, Project
from pypidesk.index.records import accounts
from pypidesk.index.settings import ServerSettings
from tests.e2e.installers import clean_env
from tests.index.factories import PASSWORD
from tests.index.upload.dists import Dist

__all__ = ["PASSWORD", "Accounts", "clean_env", "twine", "uv_publish", "write_dists"]


class Accounts:
    """Users and tokens in a data dir's database, made the way the admin CLI makes them."""

    def __init__(self, data_dir: Path, database_url: str | None = None) -> None:
        self.settings = ServerSettings(data_dir=data_dir, database_url=database_url)
        self.database = Database.from_url(self.settings.resolved_database_url)
        upgrade(self.database.engine, data_dir)

    def user(self, username: str) -> None:
        with self.database.write() as session:
            accounts.create_user(session, username, f"{username}@example.org", PASSWORD)

    def token(self, username: str, name: str, *, projects: Sequence[str] = ()) -> str:
        with self.database.write() as session:
            user = accounts.get_user(session, username)
            scoped = [
                session.scalars(select(Project).where(Project.normalized_name == p)).one()
                for p in projects
            ]
            return accounts.create_token(session, self.settings, user, name, projects=scoped)

    def expire(self, username: str, name: str) -> None:
        """Tighten a token's stored caveats to an expiry in the past (as PyPI can)."""
        past = int((dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).timestamp())
        with self.database.write() as session:
            user = accounts.get_user(session, username)
            token = session.scalars(
                select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == name)
            ).one()
            token.caveats = [*token.caveats, caveats.expiration(past, past - 10)]

    def close(self) -> None:
        self.database.dispose()


def write_dists(directory: Path, *dists: Dist) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for dist in dists:
        path = directory / dist.filename
        path.write_bytes(dist.data)
        paths.append(path)
    return paths


def twine(
    url: str,
    files: Sequence[Path],
    *,
    home: Path,
    username: str = "__token__",
    password: str,
    patch: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``twine upload``; with ``patch``, the twine of :mod:`tests.e2e.twine_patched`."""
    env = clean_env(home, keep_pythonpath=True)
    module = "twine"
    if patch:
        env["PYPIDESK_TWINE_PATCH"] = patch
        module = "tests.e2e.twine_patched"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            module,
            "upload",
            "--non-interactive",
            "--disable-progress-bar",
            "--repository-url",
            f"{url}/legacy/",
            "-u",
            username,
            "-p",
            password,
            *map(str, files),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def uv_publish(
    url: str, files: Sequence[Path], *, home: Path, token: str
) -> subprocess.CompletedProcess[str]:
    uv = Path(sys.executable).with_name("uv")
    return subprocess.run(
        [
            str(uv),
            "publish",
            "--publish-url",
            f"{url}/legacy/",
            "--token",
            token,
            "--no-attestations",
            *map(str, files),
        ],
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
