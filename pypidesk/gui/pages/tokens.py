"""The API tokens page: my tokens, New token (secret shown once), Revoke after confirming."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from pypidesk.client.manage import ManageAPI
from pypidesk.client.manage_support import ManagePage
from pypidesk.client.manage_types import TokenInfo
from pypidesk.gui import timefmt
from pypidesk.gui.async_slot import async_slot
from pypidesk.gui.dialogs import confirm_dialog, new_token_dialog, token_secret_dialog
from pypidesk.gui.pages.managed_page import ManagedPage, PageState, UrlOpener
from pypidesk.gui.pages.token_columns import token_columns
from pypidesk.gui.record_table import Column, FilterField, RecordTableModel, RecordTableView

SaveToken = Callable[[str], Awaitable[None]]
_CREATED_COLUMN = 3


class TokensPage(ManagedPage):
    """My API tokens on the index the frame shows."""

    title = "API tokens"
    web_page_kind = ManagePage.TOKENS

    def __init__(
        self,
        *,
        save_token: SaveToken | None = None,
        open_url: UrlOpener | None = None,
        parent: QWidget | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {} if open_url is None else {"open_url": open_url}
        super().__init__("tokens", parent=parent, **kwargs)
        self._save_token = save_token
        self._now = timefmt.now()
        self.model: RecordTableModel[TokenInfo] = RecordTableModel(self._columns(), self)
        self.view = RecordTableView(self.model)
        self.view.setObjectName("tokens_table")
        self.view.setAccessibleName(self.tr("Your API tokens"))
        self.view.sortByColumn(_CREATED_COLUMN, Qt.SortOrder.DescendingOrder)  # newest first

        self.new_button = QPushButton(self.tr("&New token…"))
        self.new_button.setObjectName("tokens_new")
        self.new_button.setAccessibleName(self.tr("New token"))
        self.new_button.setToolTip(self.tr("Create an API token (Ctrl+N)"))
        self.new_button.clicked.connect(self._new_token)
        self.revoke_button = QPushButton(self.tr("&Revoke…"))
        self.revoke_button.setObjectName("tokens_revoke")
        self.revoke_button.setAccessibleName(self.tr("Revoke the selected token"))
        self.revoke_button.clicked.connect(self._revoke)
        self.filter_field = FilterField("tokens_filter", self.tr("Filter tokens"))
        self.filter_field.filter_changed.connect(lambda text: self.model.set_filter(text=text))
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)

        new_action = QAction(self.tr("New token"), self)
        new_action.setObjectName("tokens_new_action")
        new_action.setShortcut(QKeySequence.StandardKey.New)
        new_action.triggered.connect(self._new_token)
        self.addAction(new_action)
        self.new_action = new_action

        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addWidget(self.revoke_button)
        bar.addStretch(1)
        bar.addWidget(self.filter_field)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._selection_changed()

    def _columns(self) -> list[Column[TokenInfo]]:
        return token_columns(lambda: self._now, with_user=False, unscoped=self.tr("All projects"))

    # -- ManagedPage -----------------------------------------------------------------------

    def page_title(self) -> str:
        return self.tr("API tokens")

    def intro_text(self) -> str:
        return self.tr(
            "Tokens let twine, uv or a CI job upload (or manage) without your password. "
            "Limit each to the projects it needs and give it an expiry."
        )

    def no_api_text(self, index_name: str, has_web_page: bool) -> tuple[str, str, str]:
        if has_web_page:
            return (
                self.tr("{0} manages tokens on its website").format(index_name),
                self.tr(
                    "{0} has no API for tokens, so pypidesk cannot list or create them here. "
                    "Open its token page in your browser to add or remove one."
                ).format(index_name),
                self.tr("Open {0}'s token page").format(index_name),
            )
        return (
            self.tr("{0} has no API tokens to manage here").format(index_name),
            self.tr(
                "This index (pypiserver or another without pypidesk's maintainer API) has no "
                "tokens pypidesk can manage. Its administrator decides who may upload."
            ),
            "",
        )

    def signed_out_text(self, index_name: str) -> str:
        text = self.tr("Sign in to {0} from the toolbar to see and create your API tokens.")
        return text.format(index_name)

    async def fetch(self, api: ManageAPI) -> list[TokenInfo]:
        return await api.tokens()

    def present(self, data: list[TokenInfo]) -> bool:
        self._now = timefmt.now()
        self.model.set_rows(data)
        self.view.resizeColumnsToContents()
        count = len(data)
        self.status_message.emit(timefmt.english_plural(self.tr("%n token(s)", "", count), count))
        return bool(data)

    def show_empty(self) -> None:
        self.message.show_message(
            self.tr("No API tokens yet"),
            self.tr(
                "A token is a password for tools: twine, uv or a CI workflow upload with it, "
                "and you can revoke it without changing your password. Create one for each "
                "place that uploads, limited to the projects it publishes."
            ),
            (self.tr("New token…"), self._new_token),
        )
        self.stack.setCurrentWidget(self.message)

    # -- actions ---------------------------------------------------------------------------

    def selected_token(self) -> TokenInfo | None:
        rows = self.view.selected_rows()
        return self.model.row_at(rows[0]) if rows else None

    def _selection_changed(self) -> None:
        self.revoke_button.setEnabled(self.selected_token() is not None)

    @async_slot()
    async def _new_token(self) -> None:
        await self.new_token()

    @async_slot()
    async def _revoke(self) -> None:
        await self.revoke_selected()

    async def new_token(self) -> None:
        """Ask for the token's details, create it, show its secret once, list it."""
        api = self.api
        if api is None or self.state not in (PageState.LOADED, PageState.EMPTY):
            return
        roles = await self.run_action(self.tr("Couldn't list your projects"), api.my_projects())
        if roles is None:
            return
        request = await new_token_dialog.ask(self, sorted(r.project for r in roles))
        if request is None:
            return
        created = await self.run_action(
            self.tr("Couldn't create the token “{0}”").format(request.name),
            api.create_token(
                request.name,
                projects=request.projects,
                permissions=request.permissions,
                expires_in_days=request.expires_in_days,
            ),
        )
        if created is None:
            return
        self.status_message.emit(self.tr("Token “{0}” created").format(created.info.name))
        await token_secret_dialog.show(self, created.info.name, created.secret, self._save_token)
        await self.refresh()

    async def revoke_selected(self) -> None:
        """Revoke the selected token once the user typed its name."""
        token = self.selected_token()
        api = self.api
        if token is None or api is None:
            return
        confirmed = await confirm_dialog.ask(
            self,
            title=self.tr("Revoke token"),
            text=self.tr(
                "Revoke the token “{0}”? Every tool or CI job that uses it will be refused "
                "from now on. This cannot be undone."
            ).format(token.name),
            word=token.name,
            confirm_label=self.tr("Revoke token"),
        )
        if not confirmed:
            return
        done = await self.run_action(
            self.tr("Couldn't revoke the token “{0}”").format(token.name),
            _revoke(api, token.id),
        )
        if done:
            self.status_message.emit(self.tr("Token “{0}” revoked").format(token.name))
            await self.refresh()


async def _revoke(api: ManageAPI, token_id: str) -> bool:
    await api.revoke_token(token_id)
    return True
