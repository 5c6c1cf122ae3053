"""Driving the Projects page's detail pane as a user would: pick a project, a tab, a row."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from PySide6.QtWidgets import QAbstractItemView, QTableView
from pytestqt.qtbot import QtBot

from pypidesk.gui.pages.projects import ProjectsPage


@pytest.fixture
async def page(qtbot: QtBot, http: httpx.AsyncClient) -> AsyncIterator[ProjectsPage]:
    """The Projects page, shown; its loads end before the HTTP client closes."""
    widget = ProjectsPage()
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    yield widget
    await widget.wait_idle()


async def open_project(page: ProjectsPage, name: str, tab: int | None = None) -> None:
    """Select ``name`` in the list (and a detail tab), then wait for what that loads."""
    row = page.model.row_where(lambda p: p.name == name)
    assert row is not None, name
    if page.selected_project() != name:
        page.table.select_row(row)
    if tab is not None:
        page.detail.tabs.setCurrentIndex(tab)
    await page.wait_idle()
    assert page.detail.detail is not None
    assert page.detail.detail.name == name


def cells(view: QAbstractItemView) -> list[list[str]]:
    model = view.model()
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def select(view: QTableView, column: int, text: str) -> None:
    """Select the row whose ``column`` shows ``text``."""
    model = view.model()
    for row in range(model.rowCount()):
        if model.index(row, column).data() == text:
            view.selectRow(row)
            return
    raise AssertionError(f"no row shows {text!r}: {cells(view)}")
