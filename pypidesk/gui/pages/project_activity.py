"""A project's Activity tab: its history, newest first, page by page, filterable.

The same list as the Activity page (:class:`HistoryPanel`), over the
project's history instead of the account's.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from pypidesk.client.manage import ManageAPI
from pypidesk.client.manage_support import ProjectPage
from pypidesk.client.manage_types import HistoryPage
from pypidesk.gui.pages.history_panel import HistoryPanel
from pypidesk.gui.pages.managed_page import UrlOpener
from pypidesk.gui.pages.project_tab import ManageAccess, ProjectTab, Starter

PAGE_SIZE = 100


class ProjectActivityTab(ProjectTab):
    """Uploads, roles, yanks, deletions and token use on the selected project."""

    web_page_kind = ProjectPage.HISTORY

    def __init__(
        self,
        access: ManageAccess,
        start: Starter,
        open_url: UrlOpener,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("project_activity", access, start, open_url, parent)
        self.history = HistoryPanel("project_activity", self.tr("The project's activity"))
        self.history.more_requested.connect(lambda: self._start(self.load_more()))
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.history)

    def no_api_text(self, index_name: str, has_web_page: bool) -> tuple[str, str, str]:
        if has_web_page:
            return (
                self.tr("{0} shows a project's history on its website").format(index_name),
                self.tr(
                    "{0} has no API for a project's history, so pypidesk cannot list it "
                    "here. Open the project's history page in your browser."
                ).format(index_name),
                self.tr("Open the history page on {0}").format(index_name),
            )
        return (
            self.tr("{0} keeps no history pypidesk can show").format(index_name),
            self.tr(
                "This index (pypiserver or another without pypidesk's maintainer API) has no "
                "project history; its server log is the place to look."
            ),
            "",
        )

    def signed_out_text(self, index_name: str) -> str:
        return self.tr("Sign in to {0} from the toolbar to see this project's activity.").format(
            index_name
        )

    async def fetch(self, api: ManageAPI, project: str) -> HistoryPage:
        return await api.project_history(project, limit=PAGE_SIZE)

    def present(self, data: HistoryPage) -> bool:
        return self.history.show_first(data)

    def show_empty(self) -> None:
        self.message.show_message(
            self.tr("No activity yet"),
            self.tr("Uploads, role changes, yanks and deletions on this project appear here."),
        )
        self.stack.setCurrentWidget(self.message)

    async def load_more(self) -> None:
        """The next, older page, below what is shown."""
        api, project = self.api, self.project
        before, generation = self.history.next_before, self._generation
        if api is None or project is None or before is None:
            return
        self.history.more_button.setEnabled(False)
        page = await self.run_action(
            self.tr("Couldn't load older events"),
            api.project_history(project, before=before, limit=PAGE_SIZE),
        )
        self.history.more_button.setEnabled(True)
        if page is None or generation != self._generation:
            return  # refused, or another project while it loaded
        self.history.add_older(page)
