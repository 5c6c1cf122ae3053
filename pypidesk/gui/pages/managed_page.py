"""What the API tokens, Invitations and Activity pages share: the states of a page over the API.

Before loading, the page finds out whether the index has pypidesk's
maintainer API (PyPI and pypiserver do not: the page offers the index's own
web page where one exists, and says why) and whether someone is signed in.
A load failure replaces the list with the server's words and Retry; a failed
action keeps the list and shows the words in a banner above it.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from pypidesk.client.errors import AuthenticationError, ClientError, IndexHTTPError
from pypidesk.client.manage import ManageAPI
from pypidesk.client.manage_support import ManagePage, has_manage_api, web_page
from pypidesk.gui.pages.base import IndexContext, Page
from pypidesk.gui.pages.state_stack import MessageAction, StateStack, web_page_action

UrlOpener = Callable[[QUrl], Any]


class PageState(enum.Enum):
    NO_INDEX = "no index"
    NO_API = "no API"
    SIGNED_OUT = "signed out"
    ERROR = "error"
    EMPTY = "empty"
    LOADED = "loaded"


def error_text(error: ClientError) -> str:
    """The server's own words where there are some, else the client's sentence."""
    if isinstance(error, IndexHTTPError):
        return error.message
    return str(error)


class ManagedPage(Page):
    """Base of a page that loads one thing from the maintainer API and shows it in a list."""

    #: Which of the index's own web pages stands in on an index without the API.
    web_page_kind = ManagePage.TOKENS

    def __init__(
        self,
        name: str,
        *,
        open_url: UrlOpener = QDesktopServices.openUrl,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_page")
        self._name = name
        self._open_url = open_url
        self._context: IndexContext | None = None
        self._has_api: bool | None = None
        self._generation = 0
        self.api: ManageAPI | None = None
        self.state = PageState.NO_INDEX
        # Tasks started from buttons; held so they are not collected while running.
        self._tasks: set[asyncio.Future[None]] = set()

        self.heading = QLabel(self.page_title())
        self.heading.setObjectName(f"{name}_heading")
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.intro = QLabel(self.intro_text())
        self.intro.setObjectName(f"{name}_intro")
        self.intro.setWordWrap(True)
        self.stack = StateStack(name)
        self.banner = self.stack.banner
        self.message = self.stack.message
        self.content = self.stack.content

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self._show_no_index()

    # -- what subclasses say and do --------------------------------------------------------

    def page_title(self) -> str:
        raise NotImplementedError

    def intro_text(self) -> str:
        raise NotImplementedError

    def no_api_text(self, index_name: str, has_web_page: bool) -> tuple[str, str, str]:
        """(heading, explanation, web button label) on an index without the API."""
        raise NotImplementedError

    def signed_out_text(self, index_name: str) -> str:
        raise NotImplementedError

    async def fetch(self, api: ManageAPI) -> Any:
        """Load what the page shows (runs on the loop; may raise ClientError)."""
        raise NotImplementedError

    def present(self, data: Any) -> bool:
        """Show ``data``; return False if there is nothing to show (the empty state)."""
        raise NotImplementedError

    def show_empty(self) -> None:
        raise NotImplementedError

    # -- the frame's calls -----------------------------------------------------------------

    async def show_context(self, context: IndexContext | None) -> None:
        self._context = context
        self._has_api = None
        self.api = None
        await self.refresh()

    async def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        context = self._context
        if context is None:
            self._show_no_index()
            return
        self.busy_changed.emit(True)
        try:
            await self._load(context, generation)
        except ClientError as exc:
            if generation == self._generation:
                self.show_error(exc)
        finally:
            self.busy_changed.emit(False)

    async def _load(self, context: IndexContext, generation: int) -> None:
        if self._has_api is None:
            has_api = await has_manage_api(context.http, context.profile)
            if generation != self._generation:
                return
            self._has_api = has_api
        if not self._has_api:
            self._show_no_api(context)
            return
        if context.token is None:
            self._set_message(
                PageState.SIGNED_OUT,
                self.tr("Not signed in"),
                self.signed_out_text(context.profile.name),
            )
            return
        api = ManageAPI(context.http, context.profile.base_url, context.token)
        data = await self.fetch(api)
        if generation != self._generation:
            return  # the context changed (or F5 again) while this one loaded
        self.api = api
        self.banner.hide()
        if self.present(data):
            self.state = PageState.LOADED
            self.stack.setCurrentWidget(self.content)
        else:
            self.state = PageState.EMPTY
            self.show_empty()

    # -- states ----------------------------------------------------------------------------

    def _set_message(
        self,
        state: PageState,
        heading: str,
        body: str,
        action: MessageAction | None = None,
    ) -> None:
        self.state = state
        self.stack.show_message(heading, body, action)

    def _show_no_index(self) -> None:
        self._set_message(
            PageState.NO_INDEX,
            self.tr("No index yet"),
            self.tr("Choose an index in the toolbar; this page shows it once it answers."),
        )

    def _show_no_api(self, context: IndexContext) -> None:
        url = web_page(context.profile, self.web_page_kind)
        heading, body, label = self.no_api_text(context.profile.name, url is not None)
        action = web_page_action(label, url, self._open_url)
        self._set_message(PageState.NO_API, heading, body, action)

    def show_error(self, error: ClientError) -> None:
        if isinstance(error, AuthenticationError) and error.status_code == 401:
            heading = self.tr("Your sign-in is no longer accepted")
            body = self.tr("Sign in again from the toolbar. The index said: {0}").format(
                error_text(error)
            )
        else:
            heading = self.tr("Couldn't load this page")
            body = error_text(error)
        self._set_message(PageState.ERROR, heading, body, (self.tr("Retry"), self._retry))

    def _retry(self) -> None:
        self._has_api = None
        self._spawn(self.refresh())

    # -- actions ---------------------------------------------------------------------------

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run_action(self, failure: str, action: Awaitable[Any]) -> Any | None:
        """Await ``action``; on a refusal keep the list and say why above it.

        ``failure`` is the sentence before the server's words ("Couldn't revoke 'ci'").
        Returns the action's result, or None if it failed.
        """
        self.busy_changed.emit(True)
        try:
            result = await action
        except ClientError as exc:
            self.stack.say(f"{failure}: {error_text(exc)}")
            self.status_message.emit(failure)
            return None
        finally:
            self.busy_changed.emit(False)
        self.banner.hide()
        return result
