"""The main window: the local index panel today, the project browser as it grows."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
)

from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.local_index import LocalIndexController, LocalIndexStatus
from pypidesk.gui.pages.local_index import LocalIndexPage


class MainWindow(QMainWindow):
    """Top-level window; emits :attr:`closing` so ``main`` can shut down in order."""

    closing = Signal()

    def __init__(self, controller: LocalIndexController, settings: AppSettings) -> None:
        super().__init__()
        self._settings = settings
        self.setWindowTitle("pypidesk")
        self.local_index_panel = LocalIndexPage(controller)
        self.setCentralWidget(self.local_index_panel)
        self.index_status = QLabel()
        self.statusBar().addPermanentWidget(self.index_status, 1)
        controller.status_changed.connect(self._show_index_status)
        self._show_index_status(controller.status)
        geometry = settings.window_geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(900, 600)

    def _show_index_status(self, status: LocalIndexStatus) -> None:
        self.index_status.setText(status.describe())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._settings.window_geometry = self.saveGeometry()
        self._settings.sync()
        self.closing.emit()
        event.accept()
