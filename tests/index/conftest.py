"""The index's records for in-process tests: one migrated database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pypidesk.index.db.engine import Database
from pypidesk.index.settings import ServerSettings
from tests.index.factories import open_database
from tests.index.manage.factories import Records


@pytest.fixture
def database(server_settings: ServerSettings) -> Iterator[Database]:
    """The records of ``server_settings``, at the newest schema (a template's copy)."""
    database = open_database(server_settings)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def records(database: Database) -> Records:
    return Records(database)
