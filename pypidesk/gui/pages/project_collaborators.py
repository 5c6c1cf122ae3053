"""A project's Collaborators tab: members and roles, pending invitations; invite, change, remove.

PyPI's rules are said where they apply, not only enforced by a refusal: a
sole Owner reads why they cannot leave or step down (pypi-compat §6.3,
"Cannot remove yourself as Sole Owner"), an Owner why they cannot change
their own role ("Cannot remove yourself as Owner").
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pypidesk.client.errors import ClientError
from pypidesk.client.manage import DEFAULT_INVITATION_HOURS, ManageAPI
from pypidesk.client.manage_support import ProjectPage
from pypidesk.client.manage_types import Collaborator, Collaborators, Invitation
from pypidesk.gui import timefmt
from pypidesk.gui.dialogs import confirm_dialog, invite_dialog
from pypidesk.gui.pages.managed_page import UrlOpener, error_text
from pypidesk.gui.pages.project_tab import OWNER, ManageAccess, ProjectTab, Starter
from pypidesk.gui.record_table import Column, RecordTableModel, RecordTableView

MAINTAINER = "Maintainer"
# The server's words for PyPI's two rules (pypidesk/index/manage/roles.py, as PyPI's).
SOLE_OWNER_TEXT = "Cannot remove yourself as Sole Owner"
SELF_OWNER_TEXT = "Cannot remove yourself as Owner"


class CollaboratorsTab(ProjectTab):
    """Who works on the project and as what; who is invited."""

    web_page_kind = ProjectPage.COLLABORATORS

    def __init__(
        self,
        access: ManageAccess,
        start: Starter,
        open_url: UrlOpener,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("collaborators", access, start, open_url, parent)
        self._now = timefmt.now()
        self.collaborators = Collaborators((), ())
        self.members: RecordTableModel[Collaborator] = RecordTableModel(
            [
                Column(self.tr("Username"), self._member_name, key=lambda c: c.username),
                Column(self.tr("Role"), lambda c: self._role(c.role)),
            ],
            self,
        )
        self.members_view = RecordTableView(self.members)
        self.members_view.setObjectName("collaborators_table")
        self.members_view.setAccessibleName(self.tr("Collaborators and their roles"))
        self.invitations: RecordTableModel[Invitation] = RecordTableModel(
            [
                Column(self.tr("Invited user"), lambda i: i.username),
                Column(self.tr("Role"), lambda i: self._role(i.role)),
                Column(self.tr("Invited by"), lambda i: i.inviter or ""),
                Column(
                    self.tr("Expires"),
                    lambda i: timefmt.relative(i.expires_at, self._now),
                    key=lambda i: i.expires_at,
                    tooltip=lambda i: timefmt.exact(i.expires_at),
                ),
            ],
            self,
        )
        self.invitations_view = RecordTableView(self.invitations)
        self.invitations_view.setObjectName("collaborators_invitations")
        self.invitations_view.setAccessibleName(self.tr("Pending invitations"))

        self.invite_button = self._button("collaborators_invite", self.tr("&Invite…"))
        self.invite_button.setAccessibleName(self.tr("Invite a collaborator"))
        self.invite_button.clicked.connect(lambda: self._start(self.invite()))
        self.role_button = self._button("collaborators_role", self.tr("Make Owner"))
        self.role_button.clicked.connect(lambda: self._start(self.toggle_role()))
        self.remove_button = self._button("collaborators_remove", self.tr("&Remove…"))
        self.remove_button.clicked.connect(lambda: self._start(self.remove_selected()))
        self.revoke_button = self._button(
            "collaborators_revoke_invitation", self.tr("Revoke invitation…")
        )
        self.revoke_button.setAccessibleName(self.tr("Revoke the selected invitation"))
        self.revoke_button.clicked.connect(lambda: self._start(self.revoke_selected()))
        self.rule_note = QLabel()
        self.rule_note.setObjectName("collaborators_rule")
        self.rule_note.setWordWrap(True)
        self.rule_note.hide()
        self.invitations_heading = QLabel(self.tr("Pending invitations"))
        self.invitations_heading.setObjectName("collaborators_invitations_heading")

        self.members_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.members.modelReset.connect(self._update_buttons)
        self.invitations_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.invitations.modelReset.connect(self._update_buttons)

        bar = QHBoxLayout()
        bar.addWidget(self.invite_button)
        bar.addWidget(self.role_button)
        bar.addWidget(self.remove_button)
        bar.addStretch(1)
        invitations_bar = QHBoxLayout()
        invitations_bar.addWidget(self.invitations_heading)
        invitations_bar.addStretch(1)
        invitations_bar.addWidget(self.revoke_button)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.rule_note)
        layout.addWidget(self.members_view, 3)
        layout.addLayout(invitations_bar)
        layout.addWidget(self.invitations_view, 2)
        self._update_buttons()

    def _button(self, name: str, label: str) -> QPushButton:
        button = QPushButton(label)
        button.setObjectName(name)
        button.setAccessibleName(label.replace("&", "").rstrip("…"))
        return button

    def _role(self, role: str) -> str:
        return self.tr("Owner") if role == OWNER else self.tr("Maintainer")

    def _member_name(self, member: Collaborator) -> str:
        if member.username == self.access.username:
            return self.tr("{0} (you)").format(member.username)
        return member.username

    # -- ProjectTab ------------------------------------------------------------------------

    def no_api_text(self, index_name: str, has_web_page: bool) -> tuple[str, str, str]:
        if has_web_page:
            return (
                self.tr("{0} manages collaborators on its website").format(index_name),
                self.tr(
                    "{0} has no API for collaborators, so pypidesk cannot list, invite or "
                    "remove them here. Open the project's collaboration page in your browser."
                ).format(index_name),
                self.tr("Open the collaboration page on {0}").format(index_name),
            )
        return (
            self.tr("{0} has no collaborators to manage").format(index_name),
            self.tr(
                "This index (pypiserver or another without pypidesk's maintainer API) has no "
                "project roles; its administrator decides who may upload."
            ),
            "",
        )

    def signed_out_text(self, index_name: str) -> str:
        return self.tr("Sign in to {0} from the toolbar to see and manage collaborators.").format(
            index_name
        )

    async def fetch(self, api: ManageAPI, project: str) -> Collaborators:
        return await api.collaborators(project)

    def present(self, data: Collaborators) -> bool:
        self._now = timefmt.now()
        self.collaborators = data
        self.members.set_rows(data.roles)
        self.invitations.set_rows(data.invitations)
        self.members_view.resizeColumnsToContents()
        self.invitations_view.resizeColumnsToContents()
        owner = self.my_role() == OWNER
        # Only Owners see invitations (the server sends none to a Maintainer); an empty
        # table would be a large blank box, so the heading says there are none instead.
        pending = bool(data.invitations)
        self.invitations_heading.setText(
            self.tr("Pending invitations")
            if pending
            else self.tr(
                "No pending invitations. Invite… sends one; it waits here until accepted."
            )
        )
        self.invitations_heading.setVisible(owner)
        self.invitations_view.setVisible(owner and pending)
        self.revoke_button.setVisible(owner and pending)
        self._show_rule()
        return True  # a project always has at least its Owner

    # -- what the user sees ----------------------------------------------------------------

    def my_role(self) -> str | None:
        me = self.access.username
        return next((r.role for r in self.collaborators.roles if r.username == me), None)

    def sole_owner(self) -> bool:
        owners = [r for r in self.collaborators.roles if r.role == OWNER]
        return len(owners) == 1 and owners[0].username == self.access.username

    def sole_owner_text(self) -> str:
        return self.tr(
            "You are the only Owner of {0}. PyPI's rule: a project always keeps an Owner, "
            "so you can't leave it or step down to Maintainer. Invite another Owner first; "
            "once they have accepted, you can. (To be rid of the project itself, delete it.)"
        ).format(self.project or "")

    def self_role_text(self) -> str:
        return self.tr(
            "You can't change your own role: PyPI lets only another Owner do that, so a "
            "project is never left without an Owner by mistake."
        )

    def _show_rule(self) -> None:
        self.rule_note.setText(self.sole_owner_text())
        self.rule_note.setVisible(self.sole_owner())

    def say(self, text: str) -> None:
        super().say(text)
        # The banner now says it all; the same sentence twice would read as two problems.
        self.rule_note.setVisible(self.sole_owner() and self.sole_owner_text() not in text)

    def selected_member(self) -> Collaborator | None:
        rows = self.members_view.selected_rows()
        return self.members.row_at(rows[0]) if rows else None

    def selected_invitation(self) -> Invitation | None:
        rows = self.invitations_view.selected_rows()
        return self.invitations.row_at(rows[0]) if rows else None

    def _update_buttons(self) -> None:
        owner = self.my_role() == OWNER
        member = self.selected_member()
        me = member is not None and member.username == self.access.username
        self.invite_button.setEnabled(owner)
        self.role_button.setEnabled(owner and member is not None)
        if member is not None and member.role == OWNER:
            self.role_button.setText(self.tr("Make Maintainer"))
        else:
            self.role_button.setText(self.tr("Make Owner"))
        self.role_button.setAccessibleName(self.role_button.text())
        # Anyone may leave; only Owners remove others.
        self.remove_button.setEnabled(member is not None and (owner or me))
        self.remove_button.setText(self.tr("&Leave project…") if me else self.tr("&Remove…"))
        self.remove_button.setAccessibleName(
            self.tr("Leave the project") if me else self.tr("Remove the selected collaborator")
        )
        self.revoke_button.setEnabled(owner and self.selected_invitation() is not None)

    def explain_refusal(self, failure: str, error: ClientError) -> str:
        said = error_text(error)
        if SOLE_OWNER_TEXT in said:
            return f"{self.sole_owner_text()} ({self.tr('The index said: {0}').format(said)})"
        if SELF_OWNER_TEXT in said:
            return f"{self.self_role_text()} ({self.tr('The index said: {0}').format(said)})"
        return super().explain_refusal(failure, error)

    # -- actions ---------------------------------------------------------------------------

    async def invite(self) -> None:
        """Ask who and as what, invite them, list again."""
        api, project = self.api, self.project
        if api is None or project is None:
            return
        request = await invite_dialog.ask(self, project, DEFAULT_INVITATION_HOURS)
        if request is None:
            return
        done = await self.run_action(
            self.tr("Couldn't invite {0}").format(request.username),
            api.invite(project, request.username, request.role),
        )
        if done:
            self.status_message.emit(
                self.tr("Invited {0} as {1}").format(request.username, self._role(request.role))
            )
            await self.load()

    async def toggle_role(self) -> None:
        """Owner ↔ Maintainer for the selected collaborator (never oneself: PyPI's rule)."""
        member, api, project = self.selected_member(), self.api, self.project
        if member is None or api is None or project is None:
            return
        if member.username == self.access.username:
            self.say(self.sole_owner_text() if self.sole_owner() else self.self_role_text())
            return
        new_role = MAINTAINER if member.role == OWNER else OWNER
        done = await self.run_action(
            self.tr("Couldn't change the role of {0}").format(member.username),
            api.change_role(project, member.username, new_role),
        )
        if done:
            self.status_message.emit(
                self.tr("{0} is now {1}").format(member.username, self._role(new_role))
            )
            await self.load()

    async def remove_selected(self) -> None:
        """Remove the selected collaborator, or leave the project, after typing the name."""
        member, api, project = self.selected_member(), self.api, self.project
        if member is None or api is None or project is None:
            return
        me = member.username == self.access.username
        if me and self.sole_owner():
            self.say(self.sole_owner_text())
            return
        if me:
            text = self.tr(
                "Leave {0}? You will no longer be able to upload to it or manage it, until "
                "an Owner invites you again."
            ).format(project)
        else:
            text = self.tr(
                "Remove {0} from {1}? They will no longer be able to upload to it; their "
                "tokens for it stop working."
            ).format(member.username, project)
        confirmed = await confirm_dialog.ask(
            self,
            title=self.tr("Leave project") if me else self.tr("Remove collaborator"),
            text=text,
            word=member.username,
            confirm_label=self.tr("Leave") if me else self.tr("Remove"),
        )
        if not confirmed:
            return
        done = await self.run_action(
            self.tr("Couldn't remove {0}").format(member.username),
            api.remove_collaborator(project, member.username),
        )
        if done:
            self.status_message.emit(
                self.tr("You left {0}").format(project)
                if me
                else self.tr("{0} removed from {1}").format(member.username, project)
            )
            if me:
                self.changed.emit()  # my project list changes
            else:
                await self.load()

    async def revoke_selected(self) -> None:
        """Withdraw the selected pending invitation."""
        invitation, api, project = self.selected_invitation(), self.api, self.project
        if invitation is None or api is None or project is None:
            return
        confirmed = await confirm_dialog.ask(
            self,
            title=self.tr("Revoke invitation"),
            text=self.tr("Withdraw the invitation of {0} to {1}?").format(
                invitation.username, project
            ),
            word=invitation.username,
            confirm_label=self.tr("Revoke invitation"),
        )
        if not confirmed:
            return
        done = await self.run_action(
            self.tr("Couldn't revoke the invitation of {0}").format(invitation.username),
            api.revoke_invitation(project, invitation.username),
        )
        if done:
            self.status_message.emit(
                self.tr("Invitation of {0} revoked").format(invitation.username)
            )
            await self.load()
