"""The widgets a list over the maintainer API shows its states with: pages and project tabs alike.

A management page (API tokens, Invitations, Activity) and a project's tab
(Collaborators, Tokens, Activity) both show their list, or a message in its
place (no API here, not signed in, the server's refusal with Retry, empty),
and a red banner above for an action the server refused while the list stays.
One piece builds those widgets and switches between them, so both read alike.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from pypidesk.gui.pages.message_panel import MessagePanel

#: What a message's button does: (label, callback).
MessageAction = tuple[str, Callable[[], object]]


class StateStack(QStackedWidget):
    """``content`` (the list) or ``message`` in its place; ``banner`` goes above it.

    The banner is not in the stack: the caller lays it out (a page puts its
    heading and intro between), so it stays visible whichever widget shows.
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_stack")
        self.banner = QLabel()
        self.banner.setObjectName(f"{name}_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #c62828; font-weight: bold")
        self.banner.hide()
        self.message = MessagePanel(name)
        self.content = QWidget()
        self.content.setObjectName(f"{name}_content")
        self.addWidget(self.message)
        self.addWidget(self.content)

    def show_message(self, heading: str, body: str, action: MessageAction | None = None) -> None:
        """A state without a list: the message replaces it, and no refusal is left above."""
        self.banner.hide()
        self.message.show_message(heading, body, action)
        self.setCurrentWidget(self.message)

    def say(self, text: str) -> None:
        """Explain above the list why something can't be done (a rule, a refusal)."""
        self.banner.setText(text)
        self.banner.show()


def web_page_action(
    label: str, url: str | None, open_url: Callable[[QUrl], object]
) -> MessageAction | None:
    """The button that opens the index's own web page, where it has one."""
    if url is None:
        return None
    return (label, lambda: open_url(QUrl(url)))
