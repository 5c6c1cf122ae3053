"""An in-process app (TestClient) over a data dir filled by the factories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from pypidesk.index.app import create_app
from pypidesk.index.db.engine import Database
from pypidesk.index.settings import ServerSettings


@pytest.fixture
def client(server_settings: ServerSettings, database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(server_settings), base_url="http://index.test") as client:
        yield client
