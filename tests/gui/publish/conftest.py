"""Publish page fixtures: the shared live index, per-test project names, dialogs as they open."""

from tests.gui.manage_fixtures import dialogs, http
from tests.publish.live import project_name, publish_index

__all__ = ["dialogs", "http", "project_name", "publish_index"]
