"""The Local index page's two questions: write ``~/.pypirc``? reset the index?

Each is an ``ask_*`` coroutine that opens a window-modal dialog with
``open()`` and awaits its ``finished`` signal: ``exec()`` would spin a nested
event loop inside a coroutine, which breaks every other task on the qasync
loop. The page takes these functions as arguments, so tests can answer them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pypidesk.client.pypirc import PypircChange
from pypidesk.gui.signals import next_emission

RESET_WORD = "reset"


def monospace() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class WritePypircDialog(QDialog):
    """Shows the unified diff of ``~/.pypirc`` (passwords masked) before writing it."""

    def __init__(self, change: PypircChange, has_token: bool, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("writePypircDialog")
        self.setWindowTitle(self.tr("Write ~/.pypirc"))
        if change.exists:
            intro = self.tr("pypidesk will change {path} as shown below.")
        else:
            intro = self.tr("pypidesk will create {path} with the content below.")
        lines = [
            intro.format(path=change.path),
            self.tr(
                "Other sections stay; comments are not kept. Passwords are hidden here; "
                "the file is readable by you only."
            ),
        ]
        if not has_token:
            lines.append(
                self.tr(
                    "No API token is known yet, so the section has no password: "
                    "twine will ask for it."
                )
            )
        self.intro_label = QLabel("\n".join(lines))
        self.intro_label.setWordWrap(True)
        self.diff_view = QPlainTextEdit(change.diff())
        self.diff_view.setObjectName("pypircDiff")
        self.diff_view.setAccessibleName(self.tr("Changes to ~/.pypirc"))
        self.diff_view.setReadOnly(True)
        self.diff_view.setFont(monospace())
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.write_button = QPushButton(self.tr("Write"))
        self.write_button.setObjectName("confirmWritePypircButton")
        self.write_button.setAccessibleName(self.tr("Write ~/.pypirc"))
        self.buttons.addButton(self.write_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cancelPypircButton")
        cancel.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addWidget(self.diff_view, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 360)


class ConfirmResetDialog(QDialog):
    """Asks, as PyPI asks, to type a word before data is destroyed."""

    def __init__(self, data_dir: Path, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("confirmResetDialog")
        self.setWindowTitle(self.tr("Reset the local index"))
        self.message_label = QLabel(
            self.tr(
                "This stops the local index and deletes every project, file, account and "
                "API token it keeps in {folder}. It cannot be undone.\n\n"
                "The index then starts empty, with a new account and token for this app.\n\n"
                'Type "{word}" to confirm.'
            ).format(folder=data_dir, word=RESET_WORD)
        )
        self.message_label.setWordWrap(True)
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setObjectName("confirmResetEdit")
        self.confirm_edit.setAccessibleName(self.tr("Type reset to confirm"))
        self.confirm_edit.setPlaceholderText(RESET_WORD)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.reset_button = QPushButton(self.tr("Reset"))
        self.reset_button.setObjectName("confirmResetButton")
        self.reset_button.setAccessibleName(self.tr("Reset the local index"))
        self.reset_button.setEnabled(False)
        self.buttons.addButton(self.reset_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cancelResetButton")
        cancel.setAccessibleName(self.tr("Cancel"))
        cancel.setDefault(True)
        self.confirm_edit.textChanged.connect(self._check)
        self.reset_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message_label)
        layout.addWidget(self.confirm_edit)
        layout.addWidget(self.buttons)

    def _check(self, text: str) -> None:
        self.reset_button.setEnabled(text.strip() == RESET_WORD)


async def _answer(dialog: QDialog) -> bool:
    finished = next_emission(dialog.finished)
    dialog.open()
    (result,) = await finished
    dialog.deleteLater()
    return bool(result == QDialog.DialogCode.Accepted.value)


async def ask_write_pypirc(parent: QWidget, change: PypircChange, has_token: bool) -> bool:
    """True if the user chose to write ``change``."""
    return await _answer(WritePypircDialog(change, has_token, parent))


async def ask_reset(parent: QWidget, data_dir: Path) -> bool:
    """True if the user typed the word and chose Reset."""
    return await _answer(ConfirmResetDialog(data_dir, parent))
