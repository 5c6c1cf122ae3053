"""The Publish page's parts: the files table, the step bar, the log, drops on the window."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QWidget

from pypidesk.gui.formatting import human_size
from pypidesk.gui.record_table import Column
from pypidesk.publish.checks import FileCheck, OnTarget
from pypidesk.publish.distfile import DistInfo
from pypidesk.publish.source import DIST_SUFFIXES

#: Lines the log keeps (a long isolated build prints thousands).
LOG_LINES = 5000


class Step(enum.IntEnum):
    """Where the flow stands; the primary button's label and action follow it."""

    SOURCE = 0
    BUILD = 1
    CHECK = 2
    PUBLISH = 3
    #: In a publishing session: Try it from the stage, then Publish the release or Discard it.
    STAGED = 4
    TRY = 5
    PROMOTE = 6


#: The step bar's label for each step (staging is part of "4 Publish").
_STEP_LABEL = {
    Step.SOURCE: 0,
    Step.BUILD: 1,
    Step.CHECK: 2,
    Step.PUBLISH: 3,
    Step.STAGED: 3,
    Step.TRY: 4,
    Step.PROMOTE: 4,
}


@dataclasses.dataclass
class FileRow:
    """One file of the release as the table shows it; updated as the steps run."""

    path: Path
    check: FileCheck | None = None
    status: str = ""

    @property
    def dist(self) -> DistInfo | None:
        return None if self.check is None else self.check.dist


_ON_TARGET = {
    OnTarget.NEW: "new",
    OnTarget.SAME: "already there, same bytes: will be skipped",
    OnTarget.DIFFERENT: "other bytes there: will be refused",
}


def file_columns(tr: Callable[[str], str]) -> list[Column[FileRow]]:
    """The table's columns; ``tr`` translates what they say."""

    def size(row: FileRow) -> str:
        return human_size(row.dist.size if row.dist else row.path.stat().st_size)

    def check_text(row: FileRow) -> str:
        check = row.check
        if check is None:
            return tr("not checked")
        if check.problems:
            return check.problems[0]
        if check.warnings:
            return tr("OK") + " (" + "; ".join(check.warnings) + ")"
        return tr("OK")

    def check_tooltip(row: FileRow) -> str:
        check = row.check
        return "" if check is None else "\n".join([*check.problems, *check.warnings])

    def on_target(row: FileRow) -> str:
        return tr(_ON_TARGET[row.check.on_target]) if row.check and row.dist else ""

    return [
        Column(tr("File"), lambda r: r.path.name),
        Column(tr("Kind"), lambda r: r.dist.kind if r.dist else ""),
        Column(tr("Size"), size, key=lambda r: r.dist.size if r.dist else 0),
        Column(
            tr("sha256"),
            lambda r: r.dist.sha256[:16] + "…" if r.dist else "",
            tooltip=lambda r: r.dist.sha256 if r.dist else "",
        ),
        Column(tr("Check"), check_text, tooltip=check_tooltip),
        Column(tr("On the index"), on_target),
        Column(tr("Status"), lambda r: r.status),
    ]


class StepBar(QWidget):
    """Source, Build, Check, Publish, Try it / Promote: the current step in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("publish_steps")
        names = [
            self.tr("1 Source"),
            self.tr("2 Build"),
            self.tr("3 Check"),
            self.tr("4 Publish"),
            self.tr("5 Try it / Promote"),
        ]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.labels: list[QLabel] = []
        for i, name in enumerate(names):
            if i:
                layout.addWidget(QLabel("›"))
            label = QLabel(name)
            label.setObjectName(f"publish_step_{i}")
            self.labels.append(label)
            layout.addWidget(label)
        layout.addStretch(1)

    def show_step(self, step: Step) -> None:
        current = _STEP_LABEL[step]
        for i, label in enumerate(self.labels):
            font = QFont(label.font())
            font.setBold(i == current)
            label.setFont(font)
            label.setEnabled(i <= current)


class LogView(QPlainTextEdit):
    """The live log of the build, the install and the upload; read-only, bounded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("publish_log")
        self.setAccessibleName(self.tr("Log"))
        self.setReadOnly(True)
        self.setMaximumBlockCount(LOG_LINES)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)
        self.setPlaceholderText(self.tr("The build's and the install's output shows here."))

    def add_line(self, line: str) -> None:
        self.appendPlainText(line)

    def lines(self) -> list[str]:
        return self.toPlainText().splitlines()


def dropped_paths(event: QDropEvent | QDragEnterEvent) -> list[Path]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def _acceptable(paths: list[Path]) -> bool:
    return any(p.is_dir() or p.name.endswith(DIST_SUFFIXES) for p in paths)


class DropFilter(QObject):
    """Takes drops of dist files (or a dist folder) anywhere on the window it watches."""

    dropped = Signal(list)

    def watch(self, window: QWidget) -> None:
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDropEvent)  # by the event's type
            if _acceptable(dropped_paths(event)):
                event.acceptProposedAction()
                return True
        elif event.type() == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)  # by the event's type
            paths = dropped_paths(event)
            if _acceptable(paths):
                event.acceptProposedAction()
                self.dropped.emit(paths)
                return True
        return super().eventFilter(watched, event)
