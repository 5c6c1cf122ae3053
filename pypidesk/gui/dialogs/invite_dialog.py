"""Invite a user to a project as Owner or Maintainer, saying what each role may do."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pypidesk.gui.dialogs import running

OWNER, MAINTAINER = "Owner", "Maintainer"


@dataclasses.dataclass(frozen=True, slots=True)
class InviteRequest:
    username: str
    role: str


class InviteDialog(QDialog):
    """A username and a role; Invite works once a username is typed."""

    def __init__(self, project: str, hours: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invite_dialog")
        title = self.tr("Invite a collaborator to {0}").format(project)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.username = QLineEdit()
        self.username.setObjectName("invite_username")
        self.username.setAccessibleName(self.tr("Username"))
        self.username.setPlaceholderText(self.tr("their username on this index"))
        self.role = QComboBox()
        self.role.setObjectName("invite_role")
        self.role.setAccessibleName(self.tr("Role"))
        # PyPI's default on its form is Maintainer: the smaller right first.
        self.role.addItem(self.tr("Maintainer"), MAINTAINER)
        self.role.addItem(self.tr("Owner"), OWNER)
        roles = QLabel(
            self.tr(
                "<b>Maintainer</b>: can upload releases.<br><b>Owner</b>: can also invite "
                "and remove collaborators, yank and delete releases, and delete the project."
            )
        )
        roles.setObjectName("invite_roles")
        roles.setWordWrap(True)
        expiry = QLabel(
            self.tr(
                "They accept on their Invitations page (or decline). The invitation expires "
                "in {0} hours; you can revoke it until then."
            ).format(hours)
        )
        expiry.setObjectName("invite_expiry")
        expiry.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&Username:"), self.username)
        form.addRow(self.tr("&Role:"), self.role)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("invite_buttons")
        self.invite_button = buttons.addButton(
            self.tr("Invite"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.invite_button.setObjectName("invite_send")
        self.invite_button.setAccessibleName(self.tr("Send the invitation"))
        self.invite_button.setDefault(True)
        self.invite_button.setEnabled(False)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("invite_cancel")
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.username.textChanged.connect(
            lambda text: self.invite_button.setEnabled(bool(text.strip()))
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(roles)
        layout.addWidget(expiry)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def request(self) -> InviteRequest:
        return InviteRequest(self.username.text().strip(), str(self.role.currentData()))


async def ask(parent: QWidget | None, project: str, hours: int) -> InviteRequest | None:
    """Who to invite as what, or None if the user cancelled."""
    dialog = InviteDialog(project, hours, parent)
    try:
        accepted = await running.run_dialog(dialog)
        return dialog.request() if accepted else None
    finally:
        dialog.deleteLater()
