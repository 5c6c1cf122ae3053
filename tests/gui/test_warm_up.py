"""The one-time costs of the process are paid after the first paint, once."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from PySide6 import QtWidgets
from pytestqt.qtbot import QtBot

from pypidesk.gui import warm_up


def test_widget_types_are_built_by_the_warm_up_not_later() -> None:
    """In a fresh interpreter: PySide6 builds QtWidgets' types lazily; the warm-up builds them."""
    program = textwrap.dedent(
        """
        import PySide6.QtWidgets as widgets
        from PySide6.QtWidgets import QApplication

        app = QApplication([])
        before = "QWizard" in vars(widgets)
        from pypidesk.gui.warm_up import build_widget_types

        build_widget_types()
        print(before, "QWizard" in vars(widgets))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["False", "True"]


def test_warm_up_runs_once_per_process(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[bool] = []
    imported: list[str] = []
    monkeypatch.setattr(warm_up, "_started", False)
    monkeypatch.setattr(warm_up, "build_widget_types", lambda: built.append(True))
    monkeypatch.setattr(warm_up, "NETWORK_MODULES", ("json",))
    monkeypatch.setattr(warm_up.importlib, "import_module", imported.append)

    thread = warm_up.warm_up()
    assert thread is not None
    thread.join(timeout=30)
    assert imported == ["json"]
    # The widget types on the next turn of the event loop, not inside the call.
    assert built == []
    qtbot.waitUntil(lambda: built == [True])

    assert warm_up.warm_up() is None
    assert imported == ["json"]


def test_a_network_module_that_is_gone_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warm_up, "NETWORK_MODULES", ("pypidesk_no_such_module", "json"))
    warm_up.import_network_modules()
    assert "json" in sys.modules


def test_building_the_widget_types_here_leaves_them_built(qtbot: QtBot) -> None:
    warm_up.build_widget_types()
    assert "QWizard" in vars(QtWidgets)
