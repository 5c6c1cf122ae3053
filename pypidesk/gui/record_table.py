"""A table model over a list of records that sorts and filters itself, and a view that copies.

QT-NOTES "Large lists": a proxy sorting a Python model is slow (15 s on 100k
rows); the model sorting its own list and emitting ``layoutChanged`` takes
milliseconds. So pages give this model their records and :class:`Column`
definitions, and put it straight in a :class:`RecordTableView`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QWidget

from pypidesk.gui.naming import name_headers, with_clear_button

Row = TypeVar("Row")
AnyIndex = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()
#: How long the filter box waits for typing to pause.
FILTER_DELAY_MS = 150


@dataclasses.dataclass(frozen=True)
class Column(Generic[Row]):
    """How one column shows, sorts and explains a record."""

    title: str
    text: Callable[[Row], str]
    #: Sort key; the text itself when not given.
    key: Callable[[Row], Any] | None = None
    tooltip: Callable[[Row], str] | None = None

    def sort_key(self, row: Row) -> Any:
        return self.text(row) if self.key is None else self.key(row)


class RecordTableModel(QAbstractTableModel, Generic[Row]):
    """All records, the visible (filtered, sorted) ones, and the columns that show them."""

    def __init__(self, columns: Sequence[Column[Row]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._all: list[Row] = []
        self._visible: list[Row] = []
        self._accept: Callable[[Row], bool] = lambda _row: True
        self._text = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # -- data in ---------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[Row]) -> None:
        self._all = list(rows)
        self._refilter()

    def add_rows(self, rows: Sequence[Row]) -> None:
        """Append (another page of history, say), keeping the filter and the order."""
        self._all.extend(rows)
        self._refilter()

    def set_filter(self, accept: Callable[[Row], bool] | None = None, text: str = "") -> None:
        """Keep rows ``accept`` takes whose cells contain ``text`` (any case)."""
        self._accept = accept or (lambda _row: True)
        self._text = text.strip().casefold()
        self._refilter()

    def _matches(self, row: Row) -> bool:
        if not self._accept(row):
            return False
        if not self._text:
            return True
        return any(self._text in c.text(row).casefold() for c in self._columns)

    def _refilter(self) -> None:
        self.beginResetModel()
        self._visible = [row for row in self._all if self._matches(row)]
        self._apply_sort()
        self.endResetModel()

    def _apply_sort(self) -> None:
        if self._sort is not None:
            column, order = self._sort
            self._visible.sort(
                key=self._columns[column].sort_key,
                reverse=order == Qt.SortOrder.DescendingOrder,
            )

    # -- data out --------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self._all)

    def row_at(self, row: int) -> Row:
        return self._visible[row]

    def rows_as_text(self, rows: Sequence[int]) -> str:
        """Tab-separated cells of ``rows``, one line each (what Ctrl+C copies)."""
        return "\n".join(
            "\t".join(c.text(self._visible[r]) for c in self._columns) for r in sorted(rows)
        )

    # -- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _NO_INDEX) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: AnyIndex = _NO_INDEX) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self._columns[index.column()]
        row = self._visible[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        return None

    def headerData(  # noqa: N802 - Qt's name
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()


class RecordTableView(QTableView):
    """Whole-row selection, sortable headers, fixed row heights, Ctrl+C copies the rows."""

    def __init__(self, model: RecordTableModel[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self._records = model
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Enabling sorting sorts at once, by the header's indicator (descending by default).
        self.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        # QT-NOTES: a ResizeToContents vertical header takes half a minute on 100k rows.
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSortIndicatorShown(True)
        name_headers(self)
        copy = QAction(self.tr("Copy"), self)
        copy.setObjectName("copy_rows_action")
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.addAction(copy)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.copy_action = copy

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # QAbstractItemView claims Ctrl+C itself (the current cell only), before any
        # shortcut sees it: whole selected rows are what a user means to copy.
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.selectionModel().selectedRows()})

    def copy_selection(self) -> None:
        rows = self.selected_rows()
        if rows:
            QGuiApplication.clipboard().setText(self._records.rows_as_text(rows))


class FilterField(QLineEdit):
    """A type-to-filter box that reports its text once typing pauses (QT-NOTES: debounce)."""

    #: The text, once it has been still for :data:`FILTER_DELAY_MS`.
    filter_changed = Signal(str)

    def __init__(self, name: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(placeholder)
        self.setPlaceholderText(placeholder)
        with_clear_button(self, self.tr("Clear the filter"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(lambda: self.filter_changed.emit(self.text()))
        self.textChanged.connect(lambda _text: self._timer.start())
