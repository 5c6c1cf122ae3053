"""What a project's management tabs (Collaborators, Tokens, Activity) and actions share.

:class:`ManageAccess` knows the index the Projects page shows, whether it has
pypidesk's maintainer API (asked once per index), who is signed in and my
role in the selected project. :class:`ProjectTab` is a tab with the states of
a management page: the list, or a message (no API here: the index's own web
page and why; not signed in; the server's refusal with Retry), and a banner
for an action the server refused while the list stays.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from pypidesk.client.errors import ClientError
from pypidesk.client.manage import ManageAPI
from pypidesk.client.manage_support import ProjectPage, has_manage_api, project_web_page
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.pages.managed_page import PageState, UrlOpener, error_text
from pypidesk.gui.pages.state_stack import MessageAction, StateStack, web_page_action

#: Starts a coroutine the page tracks (so that ``wait_idle`` awaits it).
Starter = Callable[[Coroutine[Any, Any, object]], None]
OWNER = "Owner"


class ManageAccess:
    """The index, its API (once known), the signed-in user and my role in the project."""

    def __init__(self) -> None:
        self.context: IndexContext | None = None
        self._has_api: bool | None = None
        #: My role in the project the pane shows (None: not known, or none).
        self.role: str | None = None

    def set_context(self, context: IndexContext | None) -> None:
        self.context = context
        self._has_api = None

    @property
    def index_name(self) -> str:
        return self.context.profile.name if self.context else ""

    @property
    def username(self) -> str | None:
        return self.context.username if self.context else None

    def web_page(self, page: ProjectPage, project: str, version: str | None = None) -> str | None:
        if self.context is None:
            return None
        return project_web_page(self.context.profile, page, project, version)

    async def has_api(self) -> bool:
        """Whether the index answers the maintainer API (raises ClientError if it answers not)."""
        context = self.context
        if context is None:
            return False
        if self._has_api is None:
            has_api = await has_manage_api(context.http, context.profile)
            if context is self.context:
                self._has_api = has_api
            return has_api
        return self._has_api

    def api(self) -> ManageAPI | None:
        """The API as the signed-in user; None when no one is signed in."""
        context = self.context
        if context is None or context.token is None:
            return None
        return ManageAPI(context.http, context.profile.base_url, context.token)


class ProjectTab(QWidget):
    """A tab that loads one thing about the selected project from the maintainer API."""

    #: Which of the index's own web pages stands in where there is no API.
    web_page_kind = ProjectPage.COLLABORATORS
    #: The project changed on the index (a role, an invitation): the page reloads it.
    changed = Signal()
    #: A short sentence for the status bar.
    status_message = Signal(str)

    def __init__(
        self,
        name: str,
        access: ManageAccess,
        start: Starter,
        open_url: UrlOpener,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_tab")
        self.access = access
        self._start = start
        self._open_url = open_url
        self.project: str | None = None
        self.stale = True
        self.state = PageState.NO_INDEX
        self._generation = 0
        self.api: ManageAPI | None = None

        self.stack = StateStack(name)
        self.banner = self.stack.banner
        self.message = self.stack.message
        self.content = self.stack.content
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)

    # -- what subclasses say and do --------------------------------------------------------

    def no_api_text(self, index_name: str, has_web_page: bool) -> tuple[str, str, str]:
        """(heading, explanation, web button label) on an index without the API."""
        raise NotImplementedError

    def signed_out_text(self, index_name: str) -> str:
        raise NotImplementedError

    async def fetch(self, api: ManageAPI, project: str) -> Any:
        raise NotImplementedError

    def present(self, data: Any) -> bool:
        """Show ``data``; False if there is nothing to show (then :meth:`show_empty`)."""
        raise NotImplementedError

    def show_empty(self) -> None:
        raise NotImplementedError

    # -- loading ---------------------------------------------------------------------------

    def set_project(self, project: str | None) -> None:
        """The pane shows ``project`` now: what this tab shows is out of date."""
        self.project = project
        self.stale = True
        self._generation += 1

    async def load(self) -> None:
        """Load the selected project's list (or say why there is none)."""
        self._generation += 1
        generation = self._generation
        self.stale = False
        project = self.project
        if project is None or self.access.context is None:
            self._set_message(PageState.NO_INDEX, self.tr("No project selected"), "")
            return
        try:
            has_api = await self.access.has_api()
            if generation != self._generation:
                return
            if not has_api:
                self._show_no_api(project)
                return
            api = self.access.api()
            if api is None:
                self._set_message(
                    PageState.SIGNED_OUT,
                    self.tr("Not signed in"),
                    self.signed_out_text(self.access.index_name),
                )
                return
            data = await self.fetch(api, project)
        except ClientError as exc:
            if generation == self._generation:
                self._set_message(
                    PageState.ERROR,
                    self.tr("Couldn't load this tab"),
                    error_text(exc),
                    (self.tr("Retry"), self._retry),
                )
            return
        if generation != self._generation:
            return  # another project (or index) while this one loaded
        self.api = api
        self.banner.hide()
        if self.present(data):
            self.state = PageState.LOADED
            self.stack.setCurrentWidget(self.content)
        else:
            self.state = PageState.EMPTY
            self.show_empty()

    def _retry(self) -> None:
        self.access.set_context(self.access.context)  # ask about the API again, too
        self._start(self.load())

    def _set_message(
        self,
        state: PageState,
        heading: str,
        body: str,
        action: MessageAction | None = None,
    ) -> None:
        self.state = state
        self.stack.show_message(heading, body, action)

    def _show_no_api(self, project: str) -> None:
        url = self.access.web_page(self.web_page_kind, project)
        heading, body, label = self.no_api_text(self.access.index_name, url is not None)
        action = web_page_action(label, url, self._open_url)
        self._set_message(PageState.NO_API, heading, body, action)

    # -- actions ---------------------------------------------------------------------------

    def say(self, text: str) -> None:
        """Explain above the list why something can't be done (a rule, a refusal)."""
        self.stack.say(text)

    async def run_action(self, failure: str, action: Awaitable[Any]) -> Any | None:
        """Await ``action``; a refusal keeps the list and says why above it (None then)."""
        try:
            result = await action
        except ClientError as exc:
            self.say(self.explain_refusal(failure, exc))
            self.status_message.emit(failure)
            return None
        self.banner.hide()
        return result if result is not None else True

    def explain_refusal(self, failure: str, error: ClientError) -> str:
        """``failure``: the server's words; subclasses add what a known rule means."""
        return f"{failure}: {error_text(error)}"
