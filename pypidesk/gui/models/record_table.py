"""A table model over a list of plain records that sorts and filters itself.

QT-NOTES "Large lists": a QSortFilterProxyModel sorting 100,000 Python rows
takes seconds; sorting the Python list and emitting ``layoutChanged`` takes
milliseconds. So the model keeps every record, a list of the visible ones in
display order, and a lower-cased search text per record for the filter.
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
)
from PySide6.QtGui import QBrush, QGuiApplication, QPalette

R = TypeVar("R")
AnyIndex = QModelIndex | QPersistentModelIndex
_INVALID = QModelIndex()
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)


@dataclasses.dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its header, what a cell shows, how it sorts, its tooltip."""

    title: str
    display: Callable[[R], str]
    #: Sort key; None values always sort last. Defaults to the displayed text.
    sort_key: Callable[[R], Any] | None = None
    tooltip: Callable[[R], str | None] | None = None
    #: True when the record does not know this value (shown greyed).
    unknown: Callable[[R], bool] | None = None
    alignment: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """Rows are records of type ``R``; columns are :class:`Column` definitions."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        search_text: Callable[[R], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        # Asked for every painted cell: worked out once.
        self._alignments = [int(c.alignment | Qt.AlignmentFlag.AlignVCenter) for c in columns]
        self._search_text = search_text
        self._records: list[R] = []
        self._haystacks: list[str] = []
        self._visible: list[int] = []
        self._filter = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # -- what the page calls --------------------------------------------------------

    def set_records(self, records: Sequence[R]) -> None:
        """Show ``records``, keeping the current filter and sort order."""
        self.beginResetModel()
        self._records = list(records)
        self._haystacks = [self._search_text(r).lower() for r in self._records]
        self._visible = self._matching()
        self._apply_sort()
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        """Show only records whose search text contains ``text`` (case-insensitive)."""
        wanted = text.strip().lower()
        if wanted == self._filter:
            return
        self.beginResetModel()
        self._filter = wanted
        self._visible = self._matching()
        self._apply_sort()
        self.endResetModel()

    @property
    def filter_text(self) -> str:
        return self._filter

    def record(self, row: int) -> R:
        return self._records[self._visible[row]]

    def records(self) -> list[R]:
        """Every record, filtered out or not."""
        return list(self._records)

    def total_count(self) -> int:
        return len(self._records)

    def row_where(self, predicate: Callable[[R], bool]) -> int | None:
        """The visible row of the first record matching ``predicate``."""
        for row, position in enumerate(self._visible):
            if predicate(self._records[position]):
                return row
        return None

    def rows_as_text(self, rows: Sequence[int]) -> str:
        """Tab-separated lines of ``rows`` as displayed, for the clipboard."""
        return "\n".join(
            "\t".join(column.display(self.record(row)) for column in self._columns)
            for row in sorted(set(rows))
        )

    # -- QAbstractTableModel ----------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _INVALID) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: AnyIndex = _INVALID) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every painted cell: plain int comparisons only.
        if not index.isValid():
            return None
        column_number = index.column()
        column = self._columns[column_number]
        if role == _DISPLAY:
            return column.display(self.record(index.row()))
        if role == _ALIGNMENT:
            return self._alignments[column_number]
        if role == _TOOLTIP and column.tooltip is not None:
            return column.tooltip(self.record(index.row()))
        if (
            role == _FOREGROUND
            and column.unknown is not None
            and column.unknown(self.record(index.row()))
        ):
            palette = QGuiApplication.palette()
            return QBrush(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        return None

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        # Selections are persistent indexes: they must follow their records.
        positions = [self._visible[index.row()] for index in persistent]
        self._sort = (column, order)
        self._apply_sort()
        row_of = {position: row for row, position in enumerate(self._visible)}
        self.changePersistentIndexList(
            persistent,
            [
                self.index(row_of[position], index.column())
                for index, position in zip(persistent, positions, strict=True)
            ],
        )
        self.layoutChanged.emit()

    # -- internals ---------------------------------------------------------------------

    def _matching(self) -> list[int]:
        wanted = self._filter
        if not wanted:
            return list(range(len(self._records)))
        return [i for i, text in enumerate(self._haystacks) if wanted in text]

    def _apply_sort(self) -> None:
        if self._sort is None:
            return
        column_number, order = self._sort
        if not 0 <= column_number < len(self._columns):
            return
        column = self._columns[column_number]
        key = column.sort_key or column.display
        records = self._records
        keyed = [(key(records[i]), i) for i in self._visible]
        present = [(k, i) for k, i in keyed if k is not None]
        missing = [i for k, i in keyed if k is None]
        present.sort(key=lambda pair: pair[0], reverse=order == Qt.SortOrder.DescendingOrder)
        # Unknown values stay at the bottom in both directions.
        self._visible = [i for _k, i in present] + missing
