"""The self-sorting, self-filtering table models, checked by Qt's model tester."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush
from pytestqt.qtbot import QtBot

from pypidesk.client.models import DistFile, FileKind, ProjectSummary, ReleaseInfo
from pypidesk.gui.models.projects import FilesModel, ProjectsModel, ReleasesModel

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

PROJECTS = [
    ProjectSummary("beta", "Owner", "2.0", T0),
    ProjectSummary("Alpha", "Maintainer", "1.10", T0 + dt.timedelta(days=2)),
    ProjectSummary("gamma-tools"),
    ProjectSummary("alpha-extra", "Owner", "1.9", T0 + dt.timedelta(days=1)),
]


def _names(model: ProjectsModel) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_projects_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ProjectsModel()
    model.set_records(PROJECTS)
    qtmodeltester.check(model, force_py=True)
    model.set_filter("alpha")
    qtmodeltester.check(model, force_py=True)


def test_sorting_keeps_unknowns_last_both_ways() -> None:
    model = ProjectsModel()
    model.set_records(PROJECTS)
    model.sort(ProjectsModel.UPLOADED, Qt.SortOrder.AscendingOrder)
    assert _names(model) == ["beta", "alpha-extra", "Alpha", "gamma-tools"]
    model.sort(ProjectsModel.UPLOADED, Qt.SortOrder.DescendingOrder)
    assert _names(model) == ["Alpha", "alpha-extra", "beta", "gamma-tools"]
    model.sort(ProjectsModel.NAME, Qt.SortOrder.AscendingOrder)
    assert _names(model) == ["Alpha", "alpha-extra", "beta", "gamma-tools"]
    model.sort(99)  # no such column: order unchanged
    assert _names(model) == ["Alpha", "alpha-extra", "beta", "gamma-tools"]


def test_filter_keeps_the_sort_and_new_records_keep_both() -> None:
    model = ProjectsModel()
    model.set_records(PROJECTS)
    model.sort(ProjectsModel.NAME, Qt.SortOrder.DescendingOrder)
    model.set_filter("  ALPHA ")
    assert model.filter_text == "alpha"
    assert _names(model) == ["alpha-extra", "Alpha"]
    model.set_filter("alpha")  # unchanged: no reset
    model.set_records([*PROJECTS, ProjectSummary("alpha-new")])
    assert _names(model) == ["alpha-new", "alpha-extra", "Alpha"]
    assert model.total_count() == 5
    assert len(model.records()) == 5
    assert model.row_where(lambda p: p.name == "Alpha") == 2
    assert model.row_where(lambda p: p.name == "beta") is None


def test_unknown_cells_are_greyed_and_explained() -> None:
    model = ProjectsModel()
    model.set_records(PROJECTS)
    model.sort(ProjectsModel.NAME)
    unknown = model.index(3, ProjectsModel.ROLE)
    known = model.index(0, ProjectsModel.ROLE)
    assert unknown.data() == "unknown"
    assert isinstance(unknown.data(Qt.ItemDataRole.ForegroundRole), QBrush)
    assert known.data(Qt.ItemDataRole.ForegroundRole) is None
    assert unknown.data(Qt.ItemDataRole.ToolTipRole) == "This index does not say."
    assert model.index(0, ProjectsModel.NAME).data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.data(QModelIndex()) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Project"


def test_rows_as_text_for_the_clipboard() -> None:
    model = ProjectsModel()
    model.set_records(PROJECTS[:1])
    assert model.rows_as_text([0, 0]).split("\t")[:3] == ["beta", "Owner", "2.0"]


def _file(name: str, size: int | None, kind: FileKind = FileKind.WHEEL) -> DistFile:
    return DistFile(name, f"http://h/{name}", kind, "py3", size, T0, "ab" * 32)


def test_releases_sort_by_version_and_show_yanks(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ReleasesModel()
    model.set_records(
        [
            ReleaseInfo("1.9", (_file("a", 1),), yanked=False),
            ReleaseInfo("1.10", (), yanked=True, yanked_reason="broken"),
            ReleaseInfo("1.8", (), yanked=True),
            ReleaseInfo("1.7", (), yanked=None),
        ]
    )
    qtmodeltester.check(model, force_py=True)
    model.sort(ReleasesModel.VERSION, Qt.SortOrder.DescendingOrder)
    statuses = [
        (model.index(r, 0).data(), model.index(r, ReleasesModel.STATUS).data()) for r in range(4)
    ]
    assert statuses == [
        ("1.10", "yanked: broken"),
        ("1.9", "—"),
        ("1.8", "yanked"),
        ("1.7", "unknown"),
    ]
    assert model.index(3, ReleasesModel.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, ReleasesModel.FILES).data(Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )


def test_files_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = FilesModel()
    model.set_records([_file("b.whl", 2000), _file("a.tar.gz", None, FileKind.SDIST)])
    qtmodeltester.check(model, force_py=True)
    model.sort(FilesModel.SIZE)
    assert [model.index(r, 0).data() for r in range(2)] == ["b.whl", "a.tar.gz"]
    assert model.index(0, FilesModel.SIZE).data(Qt.ItemDataRole.ToolTipRole) == "2,000 B"
    assert model.index(1, FilesModel.SIZE).data(Qt.ItemDataRole.ToolTipRole) is None
    assert (
        model.index(0, FilesModel.FILENAME).data(Qt.ItemDataRole.ToolTipRole) == "http://h/b.whl"
    )


def test_sorting_moves_the_selection_with_its_record(qtbot: QtBot) -> None:
    from pypidesk.gui.record_view import RecordTableView

    model = ProjectsModel()
    model.set_records(PROJECTS)
    view = RecordTableView(model, "t", "t")
    qtbot.addWidget(view)
    view.select_row(0)  # beta
    view.horizontalHeader().setSortIndicator(ProjectsModel.NAME, Qt.SortOrder.AscendingOrder)
    assert [model.record(r).name for r in view.selected_rows()] == ["beta"]
    view.clearSelection()
    view.copy_selection()  # nothing selected: nothing copied, no error
