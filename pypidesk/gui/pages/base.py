"""What every page of the main window offers the frame, and what the frame hands it.

The frame (toolbar, left column, status bar) owns the profile, the HTTP client
and the sign-in; a page only shows one index through an :class:`IndexContext`
and reports its own busy state and failures. Adding a page is writing a
:class:`Page` subclass and listing it in the frame.
"""

from __future__ import annotations

import dataclasses

import httpx
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from pypidesk.client.profiles import Profile


@dataclasses.dataclass(frozen=True, slots=True)
class IndexContext:
    """The index a page shows, and who is signed in to it (if anyone).

    ``token`` lives in memory only; it came from the keyring or from sign-in.
    """

    profile: Profile
    http: httpx.AsyncClient
    username: str | None = None
    token: str | None = dataclasses.field(default=None, repr=False)


class Page(QWidget):
    """Base of the pages. Subclasses set :attr:`title` and override the coroutines."""

    title = ""
    #: True while the page waits on the network; the status bar shows a spinner.
    busy_changed = Signal(bool)
    #: A short sentence for the status bar ("12 projects").
    status_message = Signal(str)
    #: Asks the window to show the page with this object name (the next step lives there).
    open_page = Signal(str)

    async def show_context(self, context: IndexContext | None) -> None:
        """Show ``context``'s index (None: no index reachable yet). Called on every switch."""

    async def refresh(self) -> None:
        """Load again what the page shows (F5)."""

    async def wait_idle(self) -> None:
        """Until the work the page started on its own (clicks, timers) is done.

        The window awaits it before the loop ends, so no request outlives it.
        """
