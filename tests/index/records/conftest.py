"""The service-layer fixtures (a migrated database, record factories) shared with manage/."""

from tests.index.manage.conftest import database, records

__all__ = ["database", "records"]
