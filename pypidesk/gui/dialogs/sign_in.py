"""Sign in to an index: a password on pypidesk's own index, a pasted token elsewhere.

With the maintainer API the password is sent once and only the token the
index gives back is kept. Without it (PyPI, TestPyPI, other indexes) the user
pastes an API token, whose shape is checked as they type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pypidesk.client.maintainer_api import check_token_format
from pypidesk.gui.async_slot import async_slot
from pypidesk.gui.dialogs import running

#: Tries the credentials; returns None on success or the sentence to show.
Attempt = Callable[[str, str], Awaitable[str | None]]


class SignInDialog(QDialog):
    """Username and password (maintainer API) or username and API token."""

    def __init__(
        self, profile_name: str, has_api: bool, attempt: Attempt, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self._has_api = has_api
        self._attempt = attempt
        self.setWindowTitle(self.tr("Sign in to %1").replace("%1", profile_name))
        if has_api:
            intro = self.tr(
                "Your password is sent once; pypidesk keeps only the API token the index "
                "gives back, in the system keyring."
            )
        else:
            intro = self.tr(
                "This index has no sign-in for apps. Create an API token on the index's "
                "website (Account settings → API tokens) and paste it here; it is kept in "
                "the system keyring. Your username lists your projects."
            )
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)

        self.username = QLineEdit()
        self.username.setObjectName("signInUsername")
        self.username.setAccessibleName(self.tr("Username"))
        self.secret = QLineEdit()
        self.secret.setObjectName("signInSecret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        secret_label = self.tr("Password") if has_api else self.tr("API token")
        self.secret.setAccessibleName(secret_label)
        if not has_api:
            self.secret.setPlaceholderText("pypi-…")
        form = QFormLayout()
        form.addRow(self.tr("&Username:"), self.username)
        form.addRow(f"&{secret_label}:", self.secret)

        self.problem = QLabel()
        self.problem.setObjectName("signInProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c62828")
        self.problem.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Sign in"))
        self.ok_button.setObjectName("signInOk")
        self.ok_button.setAccessibleName(self.tr("Sign in"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("signInCancel")
        cancel.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.username.textChanged.connect(self._validate)
        self.secret.textChanged.connect(self._validate)
        self._validate()
        self.resize(460, self.sizeHint().height())

    def _show_problem(self, text: str | None) -> None:
        self.problem.setText(text or "")
        self.problem.setVisible(bool(text))

    def _validate(self) -> None:
        problem = None
        if not self._has_api and self.secret.text():
            problem = check_token_format(self.secret.text())
        self._show_problem(problem)
        filled = bool(self.username.text().strip() and self.secret.text())
        self.ok_button.setEnabled(filled and problem is None)

    @async_slot()
    async def _submit(self) -> None:
        self.ok_button.setEnabled(False)
        self._show_problem(self.tr("Signing in…"))
        problem = await self._attempt(self.username.text().strip(), self.secret.text())
        if problem is None:
            self.secret.clear()
            self.accept()
            return
        self._show_problem(problem)
        self.ok_button.setEnabled(True)


async def ask(parent: QWidget, profile_name: str, has_api: bool, attempt: Attempt) -> bool:
    """Show the sign-in dialog until ``attempt`` succeeds (True) or the user cancels (False)."""
    dialog = SignInDialog(profile_name, has_api, attempt, parent)
    try:
        return await running.run_dialog(dialog)
    finally:
        dialog.deleteLater()
