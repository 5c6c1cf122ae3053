"""Help → About: the version, what the app is, and where its log and data are."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from pypidesk import __version__
from pypidesk.gui.dialogs import running


class AboutDialog(QDialog):
    def __init__(self, log_dir: Path, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About pypidesk"))
        self.text = QLabel(
            self.tr(
                "<h3>pypidesk %1</h3>"
                "<p>A desk for Python package maintainers: see what is on an index, "
                "publish safely, keep access tidy. It bundles a PyPI-compatible index "
                "for trying releases before they go public.</p>"
                "<p>Log folder: %2<br>Local index data: %3</p>"
            )
            .replace("%1", __version__)
            .replace("%2", str(log_dir))
            .replace("%3", str(data_dir))
        )
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("aboutClose")
        close.setAccessibleName(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(440, self.sizeHint().height())


async def show(parent: QWidget, log_dir: Path, data_dir: Path) -> None:
    dialog = AboutDialog(log_dir, data_dir, parent)
    try:
        await running.run_dialog(dialog)
    finally:
        dialog.deleteLater()
