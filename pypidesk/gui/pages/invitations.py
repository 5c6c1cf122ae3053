"""The Invitations page: invitations to me (project, role, from whom, expiry); accept or decline.

The frame shows the count as a badge in the left column, from
:attr:`InvitationsPage.count_changed`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from pypidesk.client.manage import ManageAPI
from pypidesk.client.manage_support import ManagePage
from pypidesk.client.manage_types import Invitation
from pypidesk.gui import timefmt
from pypidesk.gui.async_slot import async_slot
from pypidesk.gui.pages.managed_page import ManagedPage, UrlOpener
from pypidesk.gui.record_table import Column, RecordTableModel, RecordTableView


class InvitationsPage(ManagedPage):
    """Invitations waiting for my answer on the index the frame shows."""

    title = "Invitations"
    web_page_kind = ManagePage.INVITATIONS
    #: Pending invitations, after every load and answer (0 when none can be known).
    count_changed = Signal(int)

    def __init__(
        self, *, open_url: UrlOpener | None = None, parent: QWidget | None = None
    ) -> None:
        kwargs: dict[str, Any] = {} if open_url is None else {"open_url": open_url}
        super().__init__("invitations", parent=parent, **kwargs)
        self._now = timefmt.now()
        self.model: RecordTableModel[Invitation] = RecordTableModel(self._columns(), self)
        self.view = RecordTableView(self.model)
        self.view.setObjectName("invitations_table")
        self.view.setAccessibleName(self.tr("Invitations to you"))
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.accept_button = QPushButton(self.tr("&Accept"))
        self.accept_button.setObjectName("invitations_accept")
        self.accept_button.setAccessibleName(self.tr("Accept the selected invitation"))
        self.accept_button.clicked.connect(self._accept)
        self.decline_button = QPushButton(self.tr("&Decline"))
        self.decline_button.setObjectName("invitations_decline")
        self.decline_button.setAccessibleName(self.tr("Decline the selected invitation"))
        self.decline_button.clicked.connect(self._decline)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)

        bar = QHBoxLayout()
        bar.addWidget(self.accept_button)
        bar.addWidget(self.decline_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._selection_changed()

    def _columns(self) -> list[Column[Invitation]]:
        return [
            Column(self.tr("Project"), lambda i: i.project, key=lambda i: i.project.casefold()),
            Column(self.tr("Role"), lambda i: self._role(i.role)),
            Column(self.tr("From"), lambda i: i.inviter or self.tr("an administrator")),
            Column(
                self.tr("Sent"),
                lambda i: timefmt.relative(i.created, self._now),
                key=lambda i: i.created,
                tooltip=lambda i: timefmt.exact(i.created),
            ),
            Column(
                self.tr("Expires"),
                lambda i: timefmt.relative(i.expires_at, self._now),
                key=lambda i: i.expires_at,
                tooltip=lambda i: timefmt.exact(i.expires_at),
            ),
        ]

    def _role(self, role: str) -> str:
        return self.tr("Owner") if role == "Owner" else self.tr("Maintainer")

    # -- ManagedPage -----------------------------------------------------------------------

    def page_title(self) -> str:
        return self.tr("Invitations")

    def intro_text(self) -> str:
        return self.tr(
            "Owners of a project can invite you to help maintain it. Accept to get the "
            "offered role; an invitation you leave unanswered expires."
        )

    def no_api_text(self, index_name: str, has_web_page: bool) -> tuple[str, str, str]:
        if has_web_page:
            return (
                self.tr("{0} shows invitations on its website").format(index_name),
                self.tr(
                    "{0} has no API for invitations, so pypidesk cannot list them here. "
                    "Pending invitations are on its projects page; open it in your browser."
                ).format(index_name),
                self.tr("Open {0}'s projects page").format(index_name),
            )
        return (
            self.tr("{0} has no invitations").format(index_name),
            self.tr(
                "This index (pypiserver or another without pypidesk's maintainer API) has no "
                "collaborators or invitations; its administrator decides who may upload."
            ),
            "",
        )

    def signed_out_text(self, index_name: str) -> str:
        return self.tr("Sign in to {0} from the toolbar to see invitations to you.").format(
            index_name
        )

    async def fetch(self, api: ManageAPI) -> list[Invitation]:
        return await api.invitations()

    def present(self, data: list[Invitation]) -> bool:
        self._now = timefmt.now()
        self.model.set_rows(data)
        self.view.resizeColumnsToContents()
        self.count_changed.emit(len(data))
        return bool(data)

    def show_empty(self) -> None:
        self.message.show_message(
            self.tr("No invitations"),
            self.tr(
                "When an Owner of a project on this index invites you to maintain it, the "
                "invitation appears here for you to accept or decline."
            ),
        )
        self.stack.setCurrentWidget(self.message)

    def _set_message(self, *args: Any, **kwargs: Any) -> None:
        # No list on screen, so no count to badge (signed out, no API, error).
        super()._set_message(*args, **kwargs)
        self.count_changed.emit(0)

    # -- actions ---------------------------------------------------------------------------

    def selected_invitation(self) -> Invitation | None:
        rows = self.view.selected_rows()
        return self.model.row_at(rows[0]) if rows else None

    def _selection_changed(self) -> None:
        selected = self.selected_invitation() is not None
        self.accept_button.setEnabled(selected)
        self.decline_button.setEnabled(selected)

    @async_slot()
    async def _accept(self) -> None:
        await self.answer(accept=True)

    @async_slot()
    async def _decline(self) -> None:
        await self.answer(accept=False)

    async def answer(self, *, accept: bool) -> None:
        """Accept or decline the selected invitation, then list again."""
        invitation = self.selected_invitation()
        api = self.api
        if invitation is None or api is None:
            return
        project = invitation.project
        if accept:
            failure = self.tr("Couldn't accept the invitation to {0}").format(project)
            done = self.tr("You are now {0} of {1}").format(self._role(invitation.role), project)
            result = await self.run_action(failure, _answer(api.accept_invitation(project)))
        else:
            failure = self.tr("Couldn't decline the invitation to {0}").format(project)
            done = self.tr("Invitation to {0} declined").format(project)
            result = await self.run_action(failure, _answer(api.decline_invitation(project)))
        if result:
            self.status_message.emit(done)
            await self.refresh()


async def _answer(call: Any) -> bool:
    await call
    return True
