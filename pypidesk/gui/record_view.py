"""The table view every list of the app uses: fixed row heights, sortable, Ctrl+C copies."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from pypidesk.gui.models.record_table import RecordTableModel
from pypidesk.gui.naming import name_headers


class RecordTableView(QTableView):
    """A read-only, row-selecting table over a :class:`RecordTableModel`.

    Row heights are fixed (QT-NOTES "Large lists": sizing 10,000 rows to their
    contents takes seconds) and the vertical header is hidden.
    """

    def __init__(
        self,
        model: RecordTableModel[Any],
        object_name: str,
        accessible_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(accessible_name)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setSortingEnabled(False)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        horizontal = self.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        horizontal.setStretchLastSection(True)
        # No arrow until the user sorts: the index's own order (newest first) is not "ascending".
        horizontal.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        horizontal.setSortIndicatorShown(True)
        horizontal.setSectionsClickable(True)
        horizontal.sortIndicatorChanged.connect(model.sort)
        name_headers(self)
        self._copy = QShortcut(QKeySequence.StandardKey.Copy, self)
        self._copy.activated.connect(self.copy_selection)

    def set_column_widths(self, *widths: int) -> None:
        """Starting widths in pixels, left to right (the last column stretches)."""
        for column, width in enumerate(widths):
            self.setColumnWidth(column, width)

    def record_model(self) -> RecordTableModel[Any]:
        model = self.model()
        assert isinstance(model, RecordTableModel)
        return model

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.selectionModel().selectedRows()})

    def copy_selection(self) -> None:
        """The selected rows, tab-separated as shown, to the clipboard."""
        rows = self.selected_rows()
        if rows:
            QGuiApplication.clipboard().setText(self.record_model().rows_as_text(rows))

    def select_row(self, row: int) -> None:
        """Make ``row`` the current and only selected row, and show it."""
        index = self.model().index(row, 0)
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.scrollTo(index)
