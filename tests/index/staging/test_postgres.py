"""Staging tests that concern the database, again on PostgreSQL (row locks, partial indexes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pypidesk.index.db.engine import Database
from pypidesk.index.settings import ServerSettings
from pypidesk.index.storage import LocalFileStorage
from tests.conftest import LiveServer
from tests.e2e.upload_helpers import Accounts
from tests.index.staging import test_expiry, test_publish
from tests.index.staging.live import ROOT_PATH
from tests.index.staging.pep694_client import Client
from tests.index.staging.stager import RENDERER, Stager
from tests.index.upload.conftest import Uploads
from tests.index.upload.dists import make_sdist, make_wheel


@pytest.fixture
def pg(data_dir: Path, migrated_postgres_url: str) -> Iterator[tuple[Database, ServerSettings]]:
    settings = ServerSettings(data_dir=data_dir, database_url=migrated_postgres_url)
    database = Database.from_url(migrated_postgres_url)
    try:
        yield database, settings
    finally:
        database.dispose()


def _both(database: Database, settings: ServerSettings) -> tuple[Stager, Uploads]:
    uploads = Uploads(database, settings, LocalFileStorage(settings.packages_dir), RENDERER)
    return Stager(database, settings), uploads


def test_legacy_upload_during_publish(
    pg: tuple[Database, ServerSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    stager, uploads = _both(*pg)
    test_publish.test_legacy_upload_during_publish_gets_409_and_never_both(
        stager, uploads, pg[0], monkeypatch
    )


def test_two_publishes_at_once(pg: tuple[Database, ServerSettings]) -> None:
    stager, _ = _both(*pg)
    test_publish.test_two_publishes_at_once_publish_once(stager, pg[0])


def test_publish_conflict(pg: tuple[Database, ServerSettings]) -> None:
    stager, uploads = _both(*pg)
    test_publish.test_publish_conflict_releases_the_reservation_and_leaves_the_session_editable(
        stager, uploads, pg[0]
    )


def test_first_release_name(pg: tuple[Database, ServerSettings]) -> None:
    stager, uploads = _both(*pg)
    test_publish.test_a_first_release_holds_its_name_against_the_legacy_api(stager, uploads, pg[0])


def test_expired_session(pg: tuple[Database, ServerSettings]) -> None:
    stager, _ = _both(*pg)
    test_expiry.test_an_expired_session_is_gone(stager, pg[0])


def test_stale_reservation(pg: tuple[Database, ServerSettings]) -> None:
    stager, _ = _both(*pg)
    test_expiry.test_a_crashed_publish_s_reservation_is_released(stager, pg[0])


def test_a_session_through_a_postgresql_backed_server(
    data_dir: Path, migrated_postgres_url: str
) -> None:
    accounts = Accounts(data_dir, migrated_postgres_url)
    accounts.user("alice")
    client = Client(accounts.token("alice", "ci"))
    accounts.close()
    server = LiveServer(data_dir, ["--database-url", migrated_postgres_url])
    try:
        server.wait_healthy()
        root = server.url + ROOT_PATH
        session = client.create(root, "pg-pkg", "1.0").json
        assert client.create(root, "pg-pkg", "1.0").status == 409
        dists = [make_wheel("pg-pkg"), make_sdist("pg-pkg")]
        for dist in dists:
            assert client.upload(session, dist.filename, dist.data)["status"] == "completed"
        stage = client.get(session["links"]["stage"] + "pg-pkg/").body.decode()
        assert all(d.filename in stage for d in dists)
        assert client.get(server.url + "/simple/pg-pkg/").status == 404
        assert client.post(session["links"]["publish"]).status == 201
        page = client.get(server.url + "/simple/pg-pkg/").body.decode()
        assert all(d.filename in page for d in dists)
    finally:
        assert server.stop() == 0
