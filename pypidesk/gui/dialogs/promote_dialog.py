"""Promote: which index gets the exact files that passed, confirmed after seeing their hashes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from pypidesk.client.profiles import Profile
from pypidesk.gui.dialogs import running
from pypidesk.publish.distfile import DistInfo


class PromoteDialog(QDialog):
    """The target, the files and their sha256; nothing is sent before "Promote"."""

    def __init__(
        self, targets: Sequence[Profile], files: Sequence[DistInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("promote_dialog")
        self.setWindowTitle(self.tr("Promote the release"))
        self._targets = list(targets)
        intro = QLabel(
            self.tr(
                "These exact files, as they were checked and tried, go to the index you "
                "choose, without a rebuild. On PyPI and TestPyPI a file name can never be "
                "used again, even after deleting it."
            )
        )
        intro.setWordWrap(True)
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("promote_target")
        self.target_combo.setAccessibleName(self.tr("Index to promote to"))
        for profile in self._targets:
            self.target_combo.addItem(f"{profile.name} — {profile.upload_url}")
        self.file_list = QPlainTextEdit()
        self.file_list.setObjectName("promote_files")
        self.file_list.setAccessibleName(self.tr("Files and their sha256"))
        self.file_list.setReadOnly(True)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.file_list.setFont(font)
        self.file_list.setPlainText("\n".join(f"{f.filename}\n  sha256 {f.sha256}" for f in files))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("promote_buttons")
        self.promote_button = buttons.addButton(
            self.tr("Promote"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.promote_button.setObjectName("promote_confirm")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("promote_cancel")
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.target_combo.currentIndexChanged.connect(self._target_changed)
        self._target_changed()

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel(self.tr("Promote to:")))
        layout.addWidget(self.target_combo)
        layout.addWidget(QLabel(self.tr("Files:")))
        layout.addWidget(self.file_list, 1)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def _target_changed(self) -> None:
        target = self.target()
        label = self.tr("Promote to {0}").format(target.name) if target else self.tr("Promote")
        self.promote_button.setText(label)
        self.promote_button.setAccessibleName(label)
        self.promote_button.setEnabled(target is not None)

    def target(self) -> Profile | None:
        row = self.target_combo.currentIndex()
        return self._targets[row] if 0 <= row < len(self._targets) else None


async def ask(
    parent: QWidget | None, targets: Sequence[Profile], files: Sequence[DistInfo]
) -> Profile | None:
    """The profile the user confirmed, or None."""
    dialog = PromoteDialog(targets, files, parent)
    try:
        accepted = await running.run_dialog(dialog)
        return dialog.target() if accepted else None
    finally:
        dialog.deleteLater()
