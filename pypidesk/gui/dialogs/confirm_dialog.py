"""Confirm a destructive action by typing a name, as PyPI asks before a delete.

Revoking a token, yanking or deleting a release: the dialog says what will
happen and what cannot be undone, and its button stays disabled until the
exact name (or word) is typed.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pypidesk.gui.dialogs import running


class ConfirmDialog(QDialog):
    """``text`` and a field where ``word`` must be typed before ``confirm_label`` works."""

    def __init__(
        self,
        *,
        title: str,
        text: str,
        word: str,
        confirm_label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("confirm_dialog")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self._word = word
        explanation = QLabel(text)
        explanation.setObjectName("confirm_text")
        explanation.setWordWrap(True)
        prompt = QLabel(self.tr("Type <b>{0}</b> to confirm:").format(_escape(word)))
        prompt.setObjectName("confirm_prompt")
        self.field = QLineEdit()
        self.field.setObjectName("confirm_field")
        self.field.setAccessibleName(self.tr("Type {0} to confirm").format(word))
        prompt.setBuddy(self.field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("confirm_buttons")
        self.confirm_button = buttons.addButton(
            confirm_label, QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.confirm_button.setObjectName("confirm_button")
        self.confirm_button.setAccessibleName(confirm_label)
        self.confirm_button.setEnabled(False)
        # Enter confirms once the word is typed (a disabled default does nothing).
        self.confirm_button.setDefault(True)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("confirm_cancel")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.confirm_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.field.textChanged.connect(self._check)

        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(prompt)
        layout.addWidget(self.field)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def _check(self, text: str) -> None:
        self.confirm_button.setEnabled(text.strip() == self._word)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def ask(
    parent: QWidget | None,
    *,
    title: str,
    text: str,
    word: str,
    confirm_label: str,
) -> bool:
    """True once the user typed ``word`` and pressed ``confirm_label``."""
    dialog = ConfirmDialog(
        title=title, text=text, word=word, confirm_label=confirm_label, parent=parent
    )
    try:
        return await running.run_dialog(dialog)
    finally:
        dialog.deleteLater()
