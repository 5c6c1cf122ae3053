"""The Local index page: the bundled server's state, address, log, and its controls."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from pypidesk.gui.local_index import IndexState, LocalIndexController, LocalIndexStatus
from pypidesk.gui.naming import named
from pypidesk.gui.pages.base import Page

LOG_VIEW_MAX_LINES = 2000

STATE_COLOURS = {
    IndexState.RUNNING: "#2e7d32",
    IndexState.STARTING: "#b26a00",
    IndexState.FAILED: "#c62828",
    IndexState.STOPPED: "#616161",
}


class LocalIndexPage(Page):
    """State, address and log of the local index, with start/stop buttons."""

    title = "Local index"

    def __init__(self, controller: LocalIndexController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller

        title = QLabel("Local index")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "A package index on this machine: try uploads against it, then install from it "
            "with pip or uv before you publish to PyPI."
        )
        intro.setWordWrap(True)

        self.state_label = QLabel()
        self.url_label = QLabel()
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # What to paste into twine/uv publish and into pip/uv install.
        self.upload_url_label = QLabel()
        self.index_url_label = QLabel()
        for label in (self.upload_url_label, self.index_url_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_dir_label = QLabel(str(controller.data_dir))
        self.data_dir_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("State:", self.state_label)
        form.addRow("Address:", self.url_label)
        form.addRow("Upload URL:", self.upload_url_label)
        form.addRow("Index URL:", self.index_url_label)
        form.addRow("Data folder:", self.data_dir_label)

        self.start_button = named(QPushButton("Start"), "localIndexStart", "Start")
        self.stop_button = named(QPushButton("Stop"), "localIndexStop", "Stop")
        self.copy_button = named(
            QPushButton("Copy address"), "localIndexCopyAddress", "Copy address"
        )
        self.start_button.clicked.connect(self._start)
        self.stop_button.clicked.connect(self._stop)
        self.copy_button.clicked.connect(self._copy_url)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)

        self.log_view = named(QPlainTextEdit(), "localIndexLog", "Server log")
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(LOG_VIEW_MAX_LINES)
        self.log_view.setFont(QFont("monospace"))
        self.log_view.setPlaceholderText("The server's log appears here.")

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("Server log:"))
        layout.addWidget(self.log_view, 1)

        controller.status_changed.connect(self.show_status)
        controller.output.connect(self.log_view.appendPlainText)
        self.show_status(controller.status)

    def show_status(self, status: LocalIndexStatus) -> None:
        text = status.state.value.capitalize()
        if status.reason:
            text = f"{text}: {status.reason}"
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"color: {STATE_COLOURS[status.state]}; font-weight: bold")
        self.state_label.setWordWrap(True)
        running = status.state == IndexState.RUNNING and status.url
        self.url_label.setText(status.url if running else "—")
        self.upload_url_label.setText(f"{status.url}/legacy/" if running else "—")
        self.index_url_label.setText(f"{status.url}/simple/" if running else "—")
        busy = status.state in (IndexState.STARTING, IndexState.RUNNING)
        self.start_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.copy_button.setEnabled(status.state == IndexState.RUNNING)

    @asyncSlot()
    async def _start(self) -> None:
        await self._controller.start()

    @asyncSlot()
    async def _stop(self) -> None:
        await self._controller.stop()

    def _copy_url(self) -> None:
        QGuiApplication.clipboard().setText(self._controller.status.url or "")
