"""The new token's secret, shown once: Copy, "Save to the keyring for this profile", Close.

The server keeps no secret, so this dialog is the only place it is ever
shown; it says so. The secret goes to the clipboard or to the keyring (the
frame's ``save_token`` callback) and nowhere else: not to a log, not to a
status message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pypidesk.gui.async_slot import async_slot
from pypidesk.gui.dialogs import running

SaveToken = Callable[[str], Awaitable[None]]


class TokenSecretDialog(QDialog):
    def __init__(
        self,
        token_name: str,
        secret: str,
        save_token: SaveToken | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("token_secret_dialog")
        self.setWindowTitle(self.tr("Your new API token"))
        self.setAccessibleName(self.tr("Your new API token"))
        self._secret = secret
        self._save_token = save_token

        heading = QLabel(self.tr("Token “{0}” created").format(token_name))
        heading.setObjectName("token_secret_heading")
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)
        warning = QLabel(
            self.tr(
                "Copy it now: this is the only time it is shown. The index keeps no copy, "
                "and pypidesk will not show it again. If you lose it, revoke it and create "
                "a new one."
            )
        )
        warning.setObjectName("token_secret_warning")
        warning.setWordWrap(True)
        self.secret_field = QLineEdit(secret)
        self.secret_field.setObjectName("token_secret")
        self.secret_field.setAccessibleName(self.tr("The token"))
        self.secret_field.setReadOnly(True)
        self.secret_field.setFont(QFont("monospace"))
        self.secret_field.setCursorPosition(0)
        usage = QLabel(self.tr("With twine or uv: username __token__, password the token."))
        usage.setObjectName("token_secret_usage")
        usage.setWordWrap(True)

        actions = self._actions(save_token is not None)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(warning)
        layout.addWidget(self.secret_field)
        layout.addWidget(usage)
        layout.addLayout(actions)
        layout.addWidget(self.outcome)
        layout.addWidget(self._buttons())
        self.resize(620, self.sizeHint().height())

    def _actions(self, can_save: bool) -> QHBoxLayout:
        self.copy_button = QPushButton(self.tr("&Copy"))
        self.copy_button.setObjectName("token_secret_copy")
        self.copy_button.setAccessibleName(self.tr("Copy the token"))
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton(self.tr("&Save to the keyring for this profile"))
        self.save_button.setObjectName("token_secret_save")
        self.save_button.setAccessibleName(self.tr("Save the token to the keyring"))
        self.save_button.clicked.connect(self._save)
        self.save_button.setVisible(can_save)
        self.outcome = QLabel()
        self.outcome.setObjectName("token_secret_outcome")
        self.outcome.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.copy_button)
        actions.addWidget(self.save_button)
        actions.addStretch(1)
        return actions

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("token_secret_close")
        close.setAccessibleName(self.tr("Close"))
        buttons.rejected.connect(self.accept)

        return buttons

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._secret)
        self.outcome.setText(self.tr("Copied to the clipboard."))

    @async_slot()
    async def _save(self) -> None:
        await self.save()

    async def save(self) -> None:
        assert self._save_token is not None  # the button is hidden without it
        self.save_button.setEnabled(False)
        try:
            await self._save_token(self._secret)
        except Exception as exc:  # any keyring failure is said, never raised
            # The exception's words, with the secret cut out should they quote it.
            reason = str(exc).replace(self._secret, "…") or type(exc).__name__
            self.outcome.setText(
                self.tr("Could not save to the keyring: {0}. Copy the token instead.").format(
                    reason
                )
            )
            self.save_button.setEnabled(True)
            return
        self.outcome.setText(self.tr("Saved in the keyring for this profile."))


async def show(
    parent: QWidget | None, token_name: str, secret: str, save_token: SaveToken | None
) -> None:
    """Show the secret until the user closes the dialog."""
    dialog = TokenSecretDialog(token_name, secret, save_token, parent)
    try:
        await running.run_dialog(dialog)
    finally:
        dialog.deleteLater()
