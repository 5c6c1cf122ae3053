"""Add, edit and remove the user's own index profiles (the built-in ones stay)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pypidesk.client.profiles import Profile
from pypidesk.gui.dialogs import running
from pypidesk.gui.naming import named


def url_problem(url: str, what: str) -> str | None:
    """None if ``url`` can be an index's address, else a sentence naming ``what``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"The {what} must be a web address starting with https:// (or http://)."
    return None


class ProfilesDialog(QDialog):
    """A list of custom profiles and a form for the selected one."""

    def __init__(
        self, profiles: list[Profile], reserved_names: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("profilesDialog")
        self.setWindowTitle(self.tr("Index profiles"))
        self.profiles = list(profiles)
        self._reserved = reserved_names

        intro = QLabel(
            self.tr(
                "Always there: “%1”. Add any other index that speaks PyPI's protocols "
                "(a company index, devpi, pypiserver); OK keeps the form's changes."
            ).replace("%1", "”, “".join(reserved_names))
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("profilesList")
        self.list.setAccessibleName(self.tr("Your index profiles"))
        self.list.currentRowChanged.connect(self._show_row)
        form = self._build_form()
        self.new_button = self._button("profileNew", self.tr("&New"), self._new)
        self.save_button = self._button("profileSave", self.tr("&Save profile"), self._save)
        self.remove_button = self._button("profileRemove", self.tr("&Remove"), self._remove)
        row = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        for which, name, text in (
            (QDialogButtonBox.StandardButton.Ok, "profilesOk", self.tr("OK")),
            (QDialogButtonBox.StandardButton.Cancel, "profilesCancel", self.tr("Cancel")),
        ):
            named(buttons.button(which), name, text)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self._fill()
        self._new()
        self.resize(520, 420)

    def _build_form(self) -> QFormLayout:
        self.name = QLineEdit()
        self.name.setObjectName("profileName")
        self.name.setAccessibleName(self.tr("Profile name"))
        self.index_url = QLineEdit()
        self.index_url.setObjectName("profileIndexUrl")
        self.index_url.setAccessibleName(self.tr("Index URL"))
        self.index_url.setPlaceholderText("https://pypi.example.org/simple/")
        self.upload_url = QLineEdit()
        self.upload_url.setObjectName("profileUploadUrl")
        self.upload_url.setAccessibleName(self.tr("Upload URL"))
        self.upload_url.setPlaceholderText("https://pypi.example.org/legacy/")
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("&Index URL:"), self.index_url)
        form.addRow(self.tr("&Upload URL:"), self.upload_url)
        self.problem = QLabel()
        self.problem.setObjectName("profileProblem")
        self.problem.setStyleSheet("color: #c62828")
        self.problem.setWordWrap(True)
        self.problem.hide()
        return form

    def _button(self, name: str, text: str, slot: Callable[[], None]) -> QPushButton:
        button = named(QPushButton(text), name, text.replace("&", ""))
        button.clicked.connect(slot)
        return button

    def _fill(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for profile in self.profiles:
            self.list.addItem(profile.name)
        self.list.blockSignals(False)

    def _show_row(self, row: int) -> None:
        self.problem.hide()
        if row < 0:
            return
        profile = self.profiles[row]
        self.name.setText(profile.name)
        self.index_url.setText(profile.index_url)
        self.upload_url.setText(profile.upload_url)
        self.remove_button.setEnabled(True)

    def _new(self) -> None:
        self.list.setCurrentRow(-1)
        for field in (self.name, self.index_url, self.upload_url):
            field.clear()
        self.remove_button.setEnabled(False)
        self.problem.hide()
        self.name.setFocus()

    def _problem(self, row: int) -> str | None:
        name = self.name.text().strip()
        if not name:
            return self.tr("Give the profile a name.")
        taken = self._reserved + [p.name for i, p in enumerate(self.profiles) if i != row]
        if name in taken:
            return self.tr("There is already a profile called “%1”.").replace("%1", name)
        return url_problem(self.index_url.text(), self.tr("index URL")) or url_problem(
            self.upload_url.text(), self.tr("upload URL")
        )

    def _save(self) -> None:
        row = self.list.currentRow()
        problem = self._problem(row)
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)
        if problem is not None:
            return
        profile = Profile(
            self.name.text().strip(), self.index_url.text().strip(), self.upload_url.text().strip()
        )
        if row < 0:
            self.profiles.append(profile)
            row = len(self.profiles) - 1
        else:
            self.profiles[row] = profile
        self._fill()
        self.list.setCurrentRow(row)

    def _form_changed(self) -> bool:
        """Whether the form holds something not saved in the list yet."""
        row = self.list.currentRow()
        fields = (self.name.text().strip(), self.index_url.text(), self.upload_url.text())
        if row < 0:
            return any(field.strip() for field in fields)
        saved = self.profiles[row]
        return fields != (saved.name, saved.index_url, saved.upload_url)

    def accept(self) -> None:
        """OK saves what the form holds first; a profile that cannot work keeps the dialog."""
        if self._form_changed():
            self._save()
            if self.problem.isVisibleTo(self):
                return
        super().accept()

    def _remove(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            del self.profiles[row]
            self._fill()
            self._new()


async def ask(
    parent: QWidget, profiles: list[Profile], reserved_names: list[str]
) -> list[Profile] | None:
    """The edited list of custom profiles, or None if the user cancelled."""
    dialog = ProfilesDialog(profiles, reserved_names, parent)
    try:
        return dialog.profiles if await running.run_dialog(dialog) else None
    finally:
        dialog.deleteLater()
