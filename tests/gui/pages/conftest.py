"""The management pages' fixtures (see tests/gui/manage_fixtures.py)."""

from tests.client.conftest import static_server
from tests.gui.manage_fixtures import dialogs, http, users

__all__ = ["dialogs", "http", "static_server", "users"]
