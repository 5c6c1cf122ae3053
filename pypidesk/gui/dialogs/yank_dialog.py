"""Yank a release: say what a yank does, ask for a reason, and the version typed, as PyPI does.

PEP 592: installers skip a yanked release unless it is pinned with ``==``;
the reason is shown to whoever still installs it. PyPI's form leaves the
reason optional and asks to type the version.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from pypidesk.gui.dialogs import running
from pypidesk.gui.dialogs.confirm_dialog import ConfirmDialog


class YankDialog(ConfirmDialog):
    """The confirmation dialog with a reason field above the typed version."""

    def __init__(self, project: str, version: str, parent: QWidget | None = None) -> None:
        super().__init__(
            title=self.tr("Yank {0} {1}").format(project, version),
            text=self.tr(
                "Yanking {0} {1} tells pip, uv and other installers to skip it, unless "
                "someone pins exactly this version (==). Its files stay downloadable, and you "
                "can un-yank it later. Say why, for whoever still installs it:"
            ).format(project, version),
            word=version,
            confirm_label=self.tr("Yank release"),
            parent=parent,
        )
        self.setObjectName("yank_dialog")
        self.reason = QLineEdit()
        self.reason.setObjectName("yank_reason")
        self.reason.setAccessibleName(self.tr("Reason (optional)"))
        self.reason.setPlaceholderText(self.tr("Reason (optional), e.g. broken wheel for 3.13"))
        label = QLabel(self.tr("&Reason:"))
        label.setObjectName("yank_reason_label")
        label.setBuddy(self.reason)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, label)
        layout.insertWidget(2, self.reason)
        self.resize(480, self.sizeHint().height())


async def ask(parent: QWidget | None, project: str, version: str) -> str | None:
    """The reason (possibly empty) once the version was typed and Yank pressed; else None."""
    dialog = YankDialog(project, version, parent)
    try:
        accepted = await running.run_dialog(dialog)
        return dialog.reason.text().strip() if accepted else None
    finally:
        dialog.deleteLater()
