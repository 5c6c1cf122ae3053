"""The ready lines for pip, uv, twine and ``~/.pypirc``, each with a Copy button.

A line on screen never shows the token; with "Put my API token in what I
copy" ticked, the copied twine line and ``.pypirc`` section carry it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from pypidesk.client.profiles import Profile
from pypidesk.client.snippets import Snippets, snippets
from pypidesk.gui.pages.local_index_dialogs import monospace

KINDS = ("pip", "uv", "twine", "pypirc")


class SnippetsPanel(QGroupBox):
    """Four copyable lines for one index; empty (with a hint) while it does not run."""

    copied = Signal(str)  # a sentence for the status bar
    write_pypirc_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Use it from your tools"))
        self._profile: Profile | None = None
        self._token: str | None = None
        captions = {
            "pip": self.tr("Install with pip:"),
            "uv": self.tr("uv (in pyproject.toml):"),
            "twine": self.tr("Upload with twine:"),
            "pypirc": self.tr("~/.pypirc section:"),
        }
        self._names = {
            "pip": self.tr("the pip install line"),
            "uv": self.tr("the uv index table"),
            "twine": self.tr("the twine upload line"),
            "pypirc": self.tr("the ~/.pypirc section"),
        }
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        self.line_labels: dict[str, QLabel] = {}
        self.copy_buttons: dict[str, QPushButton] = {}
        for row, kind in enumerate(KINDS):
            caption = QLabel(captions[kind])
            caption.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            line = QLabel()
            line.setObjectName(f"{kind}Snippet")
            line.setAccessibleName(captions[kind].rstrip(":"))
            line.setFont(monospace())
            line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            line.setTextFormat(Qt.TextFormat.PlainText)
            button = QPushButton(self.tr("Copy"))
            button.setObjectName(f"copy{kind.capitalize()}Button")
            button.setAccessibleName(self.tr("Copy {what}").format(what=self._names[kind]))
            button.clicked.connect(lambda _checked=False, kind=kind: self.copy(kind))
            grid.addWidget(caption, row, 0)
            grid.addWidget(line, row, 1)
            grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
            self.line_labels[kind] = line
            self.copy_buttons[kind] = button

        self.include_token_check = QCheckBox(self.tr("Put my API token in what I copy"))
        self.include_token_check.setObjectName("includeTokenCheck")
        self.include_token_check.setAccessibleName(self.tr("Put my API token in what I copy"))
        self.write_pypirc_button = QPushButton(self.tr("Write ~/.pypirc…"))
        self.write_pypirc_button.setObjectName("writePypircButton")
        self.write_pypirc_button.setAccessibleName(self.tr("Write the section into ~/.pypirc"))
        self.write_pypirc_button.clicked.connect(self.write_pypirc_requested)
        extras = QHBoxLayout()
        extras.addWidget(self.include_token_check)
        extras.addStretch(1)
        extras.addWidget(self.write_pypirc_button)
        grid.addLayout(extras, len(KINDS), 0, 1, 3)
        self.show_profile(None)

    @property
    def token(self) -> str | None:
        return self._token

    def set_token(self, token: str | None) -> None:
        self._token = token
        self.include_token_check.setEnabled(token is not None and self._profile is not None)
        if token is None:
            self.include_token_check.setChecked(False)
            self.include_token_check.setToolTip(
                self.tr("No API token for the local index is known in this session.")
            )
        else:
            self.include_token_check.setToolTip("")

    def show_profile(self, profile: Profile | None) -> None:
        """Show ``profile``'s lines (without the token); None: the index is not running."""
        self._profile = profile
        shown = None if profile is None else snippets(profile)
        for kind in KINDS:
            label = self.line_labels[kind]
            if shown is None:
                label.setText(self.tr("(start the local index to get this line)"))
                label.setEnabled(False)
            else:
                label.setText(getattr(shown, kind).rstrip("\n"))
                label.setEnabled(True)
            self.copy_buttons[kind].setEnabled(shown is not None)
        self.write_pypirc_button.setEnabled(profile is not None)
        self.set_token(self._token)

    def text_to_copy(self, kind: str) -> str:
        """What Copy puts on the clipboard: the shown line, with the token if asked."""
        if self._profile is None:
            return ""
        with_token = self.include_token_check.isChecked() and self._token is not None
        chosen: Snippets = snippets(self._profile, self._token if with_token else None)
        return str(getattr(chosen, kind))

    def copy(self, kind: str) -> None:
        QGuiApplication.clipboard().setText(self.text_to_copy(kind))
        self.copied.emit(self.tr("Copied {what}.").format(what=self._names[kind]))
