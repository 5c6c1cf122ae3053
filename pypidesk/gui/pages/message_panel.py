"""The panel a page shows instead of its list: empty, error, not signed in, no API here.

GUI-DESIGN: every empty list says why it is empty and what fills it; an
error is a state of the page with the server's words and one next step.
So each state is a heading, a sentence and at most one button.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def _nothing() -> None:
    """The hidden button's action."""


class MessagePanel(QWidget):
    """A heading, an explanation and an optional action button, centred."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_message")
        self.heading = QLabel()
        self.heading.setObjectName(f"{name}_message_heading")
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading.setWordWrap(True)
        self.body = QLabel()
        self.body.setObjectName(f"{name}_message_body")
        self.body.setWordWrap(True)
        # The server's words are quoted here: never read them as markup.
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Wide enough to read as a paragraph, not a column of three words.
        self.body.setMinimumWidth(440)
        self.body.setMaximumWidth(600)
        self.button = QPushButton()
        self.button.setObjectName(f"{name}_message_action")
        self.button.setAccessibleName(self.tr("Next step"))  # replaced by each action's label
        self.button.clicked.connect(self._clicked)
        self._action: Callable[[], object] = _nothing

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        row.addStretch(1)
        body_row = QHBoxLayout()
        body_row.addStretch(1)
        body_row.addWidget(self.body)
        body_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.heading)
        layout.addLayout(body_row)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addStretch(2)

    def show_message(
        self,
        heading: str,
        body: str,
        action: tuple[str, Callable[[], object]] | None = None,
    ) -> None:
        """Show ``heading`` and ``body``; ``action`` is (button label, what it does)."""
        self.heading.setText(heading)
        self.body.setText(body)
        self._action = _nothing if action is None else action[1]
        self.button.setVisible(action is not None)
        if action is not None:
            self.button.setText(action[0])
            self.button.setAccessibleName(action[0])

    def _clicked(self) -> None:
        self._action()
