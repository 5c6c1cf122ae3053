"""The Activity page: my account's history, newest first, loaded page by page, filterable."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from pypidesk.client.manage import ManageAPI
from pypidesk.client.manage_support import ManagePage
from pypidesk.client.manage_types import HistoryPage
from pypidesk.gui.async_slot import async_slot
from pypidesk.gui.pages.history_panel import HistoryPanel
from pypidesk.gui.pages.managed_page import ManagedPage, UrlOpener

PAGE_SIZE = 100


class ActivityPage(ManagedPage):
    """What I did and what was done to my account, on the index the frame shows."""

    title = "Activity"
    web_page_kind = ManagePage.ACTIVITY

    def __init__(
        self, *, open_url: UrlOpener | None = None, parent: QWidget | None = None
    ) -> None:
        kwargs: dict[str, Any] = {} if open_url is None else {"open_url": open_url}
        super().__init__("activity", parent=parent, **kwargs)
        self.history = HistoryPanel("activity", self.tr("Your account's activity"))
        self.history.more_requested.connect(self._load_more)
        # The panel's parts, under the names the page has always had.
        self.model = self.history.model
        self.view = self.history.view
        self.kind_filter = self.history.kind_filter
        self.filter_field = self.history.filter_field
        self.more_button = self.history.more_button
        self.shown_label = self.history.shown_label
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.history)

    # -- ManagedPage -----------------------------------------------------------------------

    def page_title(self) -> str:
        return self.tr("Activity")

    def intro_text(self) -> str:
        return self.tr(
            "What you did on this index and what was done to your account, newest first: "
            "uploads, tokens, roles, yanks and deletions, with the token used."
        )

    def no_api_text(self, index_name: str, has_web_page: bool) -> tuple[str, str, str]:
        if has_web_page:
            return (
                self.tr("{0} shows your activity on its website").format(index_name),
                self.tr(
                    "{0} has no API for your account's history, so pypidesk cannot list it "
                    "here. Its account page has a security history; open it in your browser."
                ).format(index_name),
                self.tr("Open {0}'s account page").format(index_name),
            )
        return (
            self.tr("{0} keeps no activity pypidesk can show").format(index_name),
            self.tr(
                "This index (pypiserver or another without pypidesk's maintainer API) has no "
                "account history to show; its server log is the place to look."
            ),
            "",
        )

    def signed_out_text(self, index_name: str) -> str:
        return self.tr("Sign in to {0} from the toolbar to see your account's activity.").format(
            index_name
        )

    async def fetch(self, api: ManageAPI) -> HistoryPage:
        return await api.account_history(limit=PAGE_SIZE)

    def present(self, data: HistoryPage) -> bool:
        return self.history.show_first(data)

    def show_empty(self) -> None:
        self.message.show_message(
            self.tr("No activity yet"),
            self.tr(
                "Uploads, new tokens, invitations, yanks and deletions made by or for your "
                "account appear here as they happen."
            ),
        )
        self.stack.setCurrentWidget(self.message)

    # -- more ------------------------------------------------------------------------------

    @async_slot()
    async def _load_more(self) -> None:
        await self.load_more()

    async def load_more(self) -> None:
        """Fetch the next, older page and add it below what is shown."""
        api, before, generation = self.api, self.history.next_before, self._generation
        if api is None or before is None:
            return
        self.more_button.setEnabled(False)
        page = await self.run_action(
            self.tr("Couldn't load older events"),
            api.account_history(before=before, limit=PAGE_SIZE),
        )
        self.more_button.setEnabled(True)
        if page is None or generation != self._generation:
            return  # refused, or another index (or F5) while it loaded
        self.history.add_older(page)
