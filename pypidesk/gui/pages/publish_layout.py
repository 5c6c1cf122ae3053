"""The Publish page's widgets and their places; :mod:`.publish` gives them behaviour.

Split from the page so each module keeps one job: this one says what is on
screen (every interactive widget named for screen readers and tests), the
page says what the widgets do.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from pypidesk.gui.pages.base import Page
from pypidesk.gui.pages.publish_widgets import FileRow, LogView, StepBar, file_columns
from pypidesk.gui.record_table import RecordTableModel, RecordTableView


class PublishLayout(Page):
    """The widgets of the Publish page, laid out top to bottom in the order of the steps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("publish_page")
        self._column = QVBoxLayout(self)
        self._heading_rows()
        self._source_rows()
        self._target_row()
        self._message_and_log()
        self._progress_row()
        self._try_rows()
        self._buttons()

    def _heading_rows(self) -> None:
        heading = QLabel(self.tr("Publish a release"))
        heading.setObjectName("publish_heading")
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(
            self.tr(
                "Build your project, check the files, publish them to the index chosen in "
                "the toolbar, then install them in a throwaway environment. Rehearse on the "
                "local test index, then promote the same files to PyPI."
            )
        )
        intro.setWordWrap(True)
        self.steps = StepBar()
        for widget in (heading, intro, self.steps):
            self._column.addWidget(widget)

    def _source_rows(self) -> None:
        self.folder_combo = QComboBox()
        self.folder_combo.setObjectName("publish_folder")
        self.folder_combo.setAccessibleName(self.tr("Project folder"))
        self.folder_combo.setMinimumWidth(200)
        self.folder_combo.setPlaceholderText(self.tr("No project folder chosen"))
        self.choose_button = QPushButton(self.tr("Choose &folder…"))
        self.choose_button.setObjectName("publish_choose_folder")
        self.choose_button.setAccessibleName(self.tr("Choose a project folder"))
        self.isolation_box = QCheckBox(self.tr("Build without isolation (offline)"))
        self.isolation_box.setObjectName("publish_no_isolation")
        self.isolation_box.setAccessibleName(self.tr("Build without isolation"))
        self.isolation_box.setToolTip(
            self.tr(
                "Use the build backend installed with pypidesk instead of installing it into "
                "a fresh environment: works offline, but the build may see other packages."
            )
        )
        source_row = QHBoxLayout()
        source_row.addWidget(QLabel(self.tr("Source:")))
        source_row.addWidget(self.folder_combo, 1)
        source_row.addWidget(self.choose_button)
        drop_hint = QLabel(self.tr("…or drop built files (.whl, .tar.gz) on the window."))
        drop_hint.setObjectName("publish_drop_hint")
        drop_hint.setEnabled(False)
        self._column.addLayout(source_row)
        # The build option under the folder, not beside it: the window must fit 800 pixels.
        hint_row = QHBoxLayout()
        hint_row.addWidget(drop_hint, 1)
        hint_row.addWidget(self.isolation_box)
        self._column.addLayout(hint_row)

    def _files_table(self) -> QWidget:
        self.model: RecordTableModel[FileRow] = RecordTableModel(file_columns(self.tr), self)
        self.table = RecordTableView(self.model)
        self.table.setObjectName("publish_files")
        self.table.setAccessibleName(self.tr("Files of the release"))
        return self.table

    def _target_row(self) -> None:
        self.target_label = QLabel()
        self.target_label.setObjectName("publish_target")
        self.target_label.setWordWrap(True)
        self.skip_box = QCheckBox(self.tr("Skip files already on the index"))
        self.skip_box.setObjectName("publish_skip_existing")
        self.skip_box.setAccessibleName(self.tr("Skip files already on the index"))
        self.skip_box.setChecked(True)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_label, 1)
        target_row.addWidget(self.skip_box)
        self._column.addLayout(target_row)

    def _progress_row(self) -> None:
        self.progress = QProgressBar()
        self.progress.setObjectName("publish_progress")
        self.progress.setAccessibleName(self.tr("Upload progress"))
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("publish_progress_text")
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.progress_label, 2)
        self._column.addLayout(progress_row)

    def _try_rows(self) -> None:
        self.deps_box = QCheckBox(self.tr("Try it: install dependencies from PyPI too"))
        self.deps_box.setObjectName("publish_try_deps")
        self.deps_box.setAccessibleName(self.tr("Install dependencies from PyPI"))
        self.command_field = QLineEdit()
        self.command_field.setObjectName("publish_try_command")
        self.command_field.setAccessibleName(self.tr("Command to run after installing"))
        self.command_field.setPlaceholderText(
            self.tr("Optional command to run, e.g. mytool --version")
        )
        self.deps_warning = QLabel(
            self.tr(
                "Dependencies then come from PyPI as well as from the test index: a name "
                "someone registered on PyPI can win over yours (dependency confusion)."
            )
        )
        self.deps_warning.setObjectName("publish_deps_warning")
        self.deps_warning.setWordWrap(True)
        self.deps_warning.setStyleSheet("color: #b26a00")
        try_row = QHBoxLayout()
        try_row.addWidget(self.deps_box)
        try_row.addWidget(self.command_field, 1)
        self._column.addLayout(try_row)
        self._column.addWidget(self.deps_warning)

    def _message_and_log(self) -> None:
        self.banner = QLabel()
        self.banner.setObjectName("publish_banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        self.log = LogView()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("publish_splitter")
        splitter.addWidget(self._files_table())
        splitter.addWidget(self.log)
        splitter.setSizes([200, 200])
        self._column.addWidget(self.banner)
        self._column.addWidget(splitter, 1)

    def _buttons(self) -> None:
        self.primary_button = QPushButton()
        self.primary_button.setObjectName("publish_primary")
        self.primary_button.setDefault(True)
        self.try_button = QPushButton(self.tr("&Try it"))
        self.try_button.setObjectName("publish_try")
        self.try_button.setAccessibleName(self.tr("Try it"))
        self.promote_button = QPushButton(self.tr("Pro&mote…"))
        self.promote_button.setObjectName("publish_promote")
        self.promote_button.setAccessibleName(self.tr("Promote to another index"))
        self.release_button = QPushButton(self.tr("P&ublish the release"))
        self.release_button.setObjectName("publish_release")
        self.release_button.setAccessibleName(self.tr("Publish the staged release"))
        self.discard_button = QPushButton(self.tr("&Discard the stage"))
        self.discard_button.setObjectName("publish_discard")
        self.discard_button.setAccessibleName(self.tr("Discard the staged release"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("publish_cancel")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.reset_button = QPushButton(self.tr("Start over"))
        self.reset_button.setObjectName("publish_reset")
        self.reset_button.setAccessibleName(self.tr("Start over"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.try_button)
        buttons.addWidget(self.release_button)
        buttons.addWidget(self.promote_button)
        buttons.addWidget(self.primary_button)
        self.primary_shortcut = QShortcut(QKeySequence("Ctrl+P"), self)
        self._column.addLayout(buttons)
