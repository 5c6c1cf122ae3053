"""Fixtures for the service layer: a migrated database and record factories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pypidesk.index.db.engine import Database
from pypidesk.index.db.migrate import upgrade
from pypidesk.index.settings import ServerSettings
from tests.index.manage.factories import Records


@pytest.fixture
def database(server_settings: ServerSettings) -> Iterator[Database]:
    database = Database.from_url(server_settings.resolved_database_url)
    upgrade(database.engine, server_settings.data_dir)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def records(database: Database) -> Records:
    return Records(database)
