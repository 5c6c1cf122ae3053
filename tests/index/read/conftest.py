"""An in-process app (TestClient) over a data dir filled by the factories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from pypidesk.index.app import create_app
from pypidesk.index.db.engine import Database
from pypidesk.index.settings import ServerSettings
from tests.index.factories import open_database


@pytest.fixture
def database(server_settings: ServerSettings) -> Iterator[Database]:
    database = open_database(server_settings)
    yield database
    database.dispose()


@pytest.fixture
def client(server_settings: ServerSettings, database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(server_settings), base_url="http://index.test") as client:
        yield client
