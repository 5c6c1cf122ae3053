"""A live ``pypidesk serve`` plus direct access to its records, for API tests."""

from __future__ import annotations

import base64
import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from pypidesk.client.local_index import find_free_port
from pypidesk.index.app import create_app
from pypidesk.index.auth import caveats
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import ApiToken, Project, User
from pypidesk.index.records import accounts
from pypidesk.index.serving.reason import ReasonHttpToolsProtocol
from pypidesk.index.settings import ServerSettings
from tests.conftest import LiveServer
from tests.index.factories import PASSWORD, make_user, open_database
from tests.index.manage.factories import Records


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class ThreadServer:
    """The real app under uvicorn on a loopback port, in a thread of the test process.

    Starts in a fraction of the time of a ``serve`` child; tests that need the
    real command line (its log, its flags) use :class:`LiveServer` instead.
    """

    def __init__(self, settings: ServerSettings) -> None:
        self.data_dir = settings.data_dir
        self.port = find_free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The options `serve` uses: upload errors travel in the reason phrase.
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            proxy_headers=False,
            server_header=False,
            http=ReasonHttpToolsProtocol,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            assert time.monotonic() < deadline, "server never started"
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


class Index:
    """A running server, an HTTP client for it, and its database for setup and checks."""

    def __init__(self, server: LiveServer | ThreadServer) -> None:
        self.server = server
        self.settings = ServerSettings(data_dir=server.data_dir)
        self.database: Database = open_database(self.settings)
        self.records = Records(self.database)
        self.http = httpx.Client(base_url=server.url + "/api/v1", timeout=30)

    def user(self, username: str, *, is_active: bool = True) -> None:
        with self.database.write() as session:
            make_user(session, username, is_active=is_active)

    def token(
        self,
        username: str,
        name: str,
        *,
        projects: tuple[str, ...] = (),
        permissions: tuple[str, ...] = ("manage", "upload"),
    ) -> str:
        with self.database.write() as session:
            user = session.scalars(select(User).where(User.username == username)).one()
            scoped = [
                session.scalars(select(Project).where(Project.normalized_name == p)).one()
                for p in projects
            ]
            return accounts.create_token(
                session, self.settings, user, name, projects=scoped, permissions=permissions
            )

    def auth(self, username: str) -> dict[str, str]:
        """A header with a fresh manage+upload token of ``username`` (cheaper than argon2)."""
        self._tokens = getattr(self, "_tokens", 0) + 1
        return bearer(self.token(username, f"test-{self._tokens}"))

    def expire_token(self, username: str, name: str) -> None:
        """Tighten a token with an expiry in the past (stored caveats are re-checked)."""
        now = int(time.time())
        with self.database.write() as session:
            token = self._token_row(session, username, name)
            token.caveats = [*token.caveats, caveats.expiration(now - 10, now - 100)]

    def revoke_token(self, username: str, name: str) -> None:
        with self.database.write() as session:
            session.delete(self._token_row(session, username, name))

    def token_id(self, username: str, name: str) -> str:
        with self.database.read() as session:
            return self._token_row(session, username, name).id

    @staticmethod
    def _token_row(session, username: str, name: str) -> ApiToken:  # type: ignore[no-untyped-def]
        return session.scalars(
            select(ApiToken).join(User).where(User.username == username, ApiToken.name == name)
        ).one()

    def close(self) -> None:
        self.http.close()
        self.database.dispose()


def start_index(data_dir: Path, extra_args: list[str] | None = None) -> Iterator[Index]:
    server = LiveServer(data_dir, extra_args)
    try:
        server.wait_healthy()
        index = Index(server)
        try:
            yield index
        finally:
            index.close()
    finally:
        server.stop()


@pytest.fixture
def index(server_settings: ServerSettings) -> Iterator[Index]:
    server = ThreadServer(server_settings)
    server.start()
    index = Index(server)
    try:
        yield index
    finally:
        index.close()
        server.stop()


@pytest.fixture
def live_index(data_dir: Path) -> Iterator[Index]:
    """An index behind a real ``pypidesk serve`` child process."""
    yield from start_index(data_dir)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
