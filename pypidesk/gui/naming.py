"""Every interactive widget gets a stable objectName and what a screen reader says."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QHeaderView, QLineEdit, QTableView, QToolButton, QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, object_name: str, accessible_name: str) -> W:
    """``widget``, with its objectName (tests, style sheets) and accessibleName set."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)
    return widget


def with_clear_button(edit: QLineEdit, accessible_name: str) -> QLineEdit:
    """``edit`` with Qt's clear button, which gets a name of its own (Qt leaves it unnamed)."""
    edit.setClearButtonEnabled(True)
    for button in edit.findChildren(QToolButton):
        named(button, f"{edit.objectName()}Clear", accessible_name)
    return edit


def name_headers(view: QTableView) -> None:
    """A table's headers are clickable (sorting, resizing), so they are named too."""
    header: QHeaderView
    for header, object_name, accessible_name in (
        (view.horizontalHeader(), "columnsHeader", view.tr("Columns")),
        (view.verticalHeader(), "rowsHeader", view.tr("Rows")),
    ):
        named(header, object_name, accessible_name)
