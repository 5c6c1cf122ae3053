"""The self-sorting, self-filtering table model and its copying view."""

from __future__ import annotations

import asyncio
import dataclasses

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from pypidesk.gui.record_table import Column, FilterField, RecordTableModel, RecordTableView
from pypidesk.gui.signals import next_emission


@dataclasses.dataclass(frozen=True)
class Item:
    name: str
    size: int


def make_model() -> RecordTableModel[Item]:
    return RecordTableModel(
        [
            Column("Name", lambda i: i.name, tooltip=lambda i: f"about {i.name}"),
            Column("Size", lambda i: f"{i.size} B", key=lambda i: i.size),
        ]
    )


def names(model: RecordTableModel[Item]) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_sorts_filters_and_explains(qtmodeltester: ModelTester) -> None:
    model = make_model()
    model.set_rows([Item("b", 10), Item("a", 9), Item("C", 100)])
    qtmodeltester.check(model, force_py=True)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert names(model) == ["C", "b", "a"]
    model.sort(0)
    assert names(model) == ["C", "a", "b"]
    model.sort(7)  # no such column: nothing changes
    assert names(model) == ["C", "a", "b"]
    model.set_filter(text=" c ")
    assert names(model) == ["C"]
    model.set_filter(lambda i: i.size < 50, "")
    assert names(model) == ["a", "b"]
    model.add_rows([Item("aa", 1), Item("z", 500)])
    assert names(model) == ["a", "aa", "b"]
    assert model.total == 5
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "about a"
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.data(QModelIndex()) is None
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Size"
    assert model.headerData(2, Qt.Orientation.Horizontal) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.rows_as_text([2, 0]) == "a\t9 B\nb\t10 B"
    qtmodeltester.check(model, force_py=True)


def test_ctrl_c_copies_the_selected_rows(qtbot: QtBot) -> None:
    model = make_model()
    model.set_rows([Item("a", 1), Item("b", 2)])
    view = RecordTableView(model)
    qtbot.addWidget(view)
    QGuiApplication.clipboard().setText("before")
    view.copy_selection()  # nothing selected: the clipboard is left alone
    assert QGuiApplication.clipboard().text() == "before"
    view.show()
    view.setFocus()
    view.selectRow(1)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "b\t2 B"
    qtbot.keyClick(view, Qt.Key.Key_Up)  # other keys still move the selection
    assert view.selected_rows() == [0]
    view.copy_action.trigger()  # the context menu's Copy
    assert QGuiApplication.clipboard().text() == "a\t1 B"


async def test_the_filter_box_reports_once_typing_pauses(qtbot: QtBot) -> None:
    field = FilterField("filter", "Filter things")
    qtbot.addWidget(field)
    assert (field.objectName(), field.accessibleName()) == ("filter", "Filter things")
    seen: list[str] = []
    field.filter_changed.connect(seen.append)
    settled = next_emission(field.filter_changed)
    for text in ("a", "al", "alp"):
        field.setText(text)
    assert await asyncio.wait_for(settled, 5) == ("alp",)
    assert seen == ["alp"]
