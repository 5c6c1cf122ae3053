"""A project's Tokens tab: every token that can upload to it, whoever made it; revocable.

PyPI has no such list (warehouse#6263 has asked for it since 2019): an Owner
who suspects a leak here sees the project's own tokens and every
collaborator's whole-account token, and revokes any of them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pypidesk.client.errors import IndexHTTPError
from pypidesk.client.manage import ManageAPI
from pypidesk.client.manage_support import ProjectPage
from pypidesk.client.manage_types import TokenInfo
from pypidesk.gui import timefmt
from pypidesk.gui.dialogs import confirm_dialog
from pypidesk.gui.pages.managed_page import UrlOpener
from pypidesk.gui.pages.project_tab import OWNER, ManageAccess, ProjectTab, Starter
from pypidesk.gui.pages.token_columns import token_columns
from pypidesk.gui.record_table import Column, RecordTableModel, RecordTableView

_CREATED_COLUMN = 4


class ProjectTokensTab(ProjectTab):
    """Tokens that can upload to the selected project (its Owners see them)."""

    web_page_kind = ProjectPage.SETTINGS

    def __init__(
        self,
        access: ManageAccess,
        start: Starter,
        open_url: UrlOpener,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("project_tokens", access, start, open_url, parent)
        self._now = timefmt.now()
        self._not_owner = False
        self.model: RecordTableModel[TokenInfo] = RecordTableModel(self._columns(), self)
        self.view = RecordTableView(self.model)
        self.view.setObjectName("project_tokens_table")
        self.view.setAccessibleName(self.tr("Tokens that can upload to this project"))
        self.view.sortByColumn(_CREATED_COLUMN, Qt.SortOrder.DescendingOrder)
        self.revoke_button = QPushButton(self.tr("&Revoke…"))
        self.revoke_button.setObjectName("project_tokens_revoke")
        self.revoke_button.setAccessibleName(self.tr("Revoke the selected token"))
        self.revoke_button.clicked.connect(lambda: self._start(self.revoke_selected()))
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        note = QLabel(
            self.tr(
                "Tokens scoped to this project, and every collaborator's token for their "
                "whole account: each of them can upload here."
            )
        )
        note.setObjectName("project_tokens_note")
        note.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(note, 1)
        bar.addWidget(self.revoke_button)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._update_buttons()

    def _columns(self) -> list[Column[TokenInfo]]:
        return token_columns(lambda: self._now, with_user=True, unscoped=self.tr("Whole account"))

    # -- ProjectTab ------------------------------------------------------------------------

    def no_api_text(self, index_name: str, has_web_page: bool) -> tuple[str, str, str]:
        if has_web_page:
            return (
                self.tr("{0} lists no tokens per project").format(index_name),
                self.tr(
                    "{0} shows each user only their own tokens, on their account page; it "
                    "has no list of the tokens that can upload to one project. The project's "
                    "settings page is where its Owners manage publishing."
                ).format(index_name),
                self.tr("Open the project's settings on {0}").format(index_name),
            )
        return (
            self.tr("{0} has no tokens to list").format(index_name),
            self.tr(
                "This index (pypiserver or another without pypidesk's maintainer API) has no "
                "API tokens; its administrator decides who may upload."
            ),
            "",
        )

    def signed_out_text(self, index_name: str) -> str:
        return self.tr("Sign in to {0} from the toolbar to see this project's tokens.").format(
            index_name
        )

    async def fetch(self, api: ManageAPI, project: str) -> list[TokenInfo]:
        self._not_owner = False
        try:
            return await api.project_tokens(project)
        except IndexHTTPError as exc:
            # 403 is the index's "Only an Owner …" unless I am an Owner (then it is the token).
            if exc.status_code != 403 or self.access.role == OWNER:
                raise
            self._not_owner = True
            return []

    def present(self, data: list[TokenInfo]) -> bool:
        self._now = timefmt.now()
        self.model.set_rows(data)
        self.view.resizeColumnsToContents()
        return bool(data)

    def show_empty(self) -> None:
        if self._not_owner:
            self.message.show_message(
                self.tr("Only Owners see a project's tokens"),
                self.tr(
                    "You are not an Owner of {0}: its Owners see and revoke every token that "
                    "can upload to it. Your own tokens are on the API tokens page."
                ).format(self.project or ""),
            )
        else:
            self.message.show_message(
                self.tr("No token can upload to {0}").format(self.project or ""),
                self.tr(
                    "Nobody has a token for this project or for their whole account. Create "
                    "one on the API tokens page, limited to this project."
                ),
            )
        self.stack.setCurrentWidget(self.message)

    # -- actions ---------------------------------------------------------------------------

    def selected_token(self) -> TokenInfo | None:
        rows = self.view.selected_rows()
        return self.model.row_at(rows[0]) if rows else None

    def _update_buttons(self) -> None:
        self.revoke_button.setEnabled(self.selected_token() is not None)

    async def revoke_selected(self) -> None:
        """Revoke the selected token once its name is typed."""
        token, api, project = self.selected_token(), self.api, self.project
        if token is None or api is None or project is None:
            return
        confirmed = await confirm_dialog.ask(
            self,
            title=self.tr("Revoke token"),
            text=self.tr(
                "Revoke the token “{0}” of {1}? Every tool or CI job that uses it will be "
                "refused from now on, for every project it could reach. This cannot be undone."
            ).format(token.name, token.username),
            word=token.name,
            confirm_label=self.tr("Revoke token"),
        )
        if not confirmed:
            return
        done = await self.run_action(
            self.tr("Couldn't revoke the token “{0}”").format(token.name),
            api.revoke_project_token(project, token.id),
        )
        if done:
            self.status_message.emit(self.tr("Token “{0}” revoked").format(token.name))
            await self.load()
