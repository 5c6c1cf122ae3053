"""The "New token" dialog: name, scope, expiry and permissions of an API token.

Scope is the whole account or one or several of my projects (PyPI offers only
one; the server takes several). Expiry is a preset or a date. Creating the
token is the page's job: this dialog only returns what was asked for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from pypidesk.client.manage import MAX_EXPIRY_DAYS, days_until
from pypidesk.gui.dialogs import running

MAX_NAME_LENGTH = 100
#: The presets, in days; None is "never expires", -1 is "on a date".
EXPIRY_PRESETS: tuple[int | None, ...] = (30, 90, 365, None, -1)
ON_A_DATE = -1
DEFAULT_PRESET = 1  # 90 days: long enough for a release cycle, short enough to rot safely


@dataclasses.dataclass(frozen=True)
class TokenRequest:
    name: str
    #: Empty for the whole account.
    projects: tuple[str, ...]
    permissions: tuple[str, ...]
    expires_in_days: int | None


class NewTokenDialog(QDialog):
    def __init__(
        self,
        projects: Sequence[str],
        *,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("new_token_dialog")
        self.setWindowTitle(self.tr("New API token"))
        self.setAccessibleName(self.tr("New API token"))
        self._today = today or dt.date.today()

        self.name_field = QLineEdit()
        self.name_field.setObjectName("token_name")
        self.name_field.setAccessibleName(self.tr("Token name"))
        self.name_field.setMaxLength(MAX_NAME_LENGTH)
        self.name_field.setPlaceholderText(self.tr("e.g. GitHub Actions for my-project"))
        self.problem = QLabel()
        self.problem.setObjectName("token_problem")
        self.problem.setStyleSheet("color: #c62828")

        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name_field)
        form.addRow(self.tr("Scope:"), self._scope_choice(projects))
        form.addRow(self.tr("Expires:"), self._expiry_choice())
        form.addRow(self.tr("Permissions:"), self._permission_choice())
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self._buttons())

        for signal in (
            self.name_field.textChanged,
            self.whole_account.toggled,
            self.project_list.itemChanged,
            self.expiry.currentIndexChanged,
            self.upload.toggled,
            self.manage.toggled,
        ):
            signal.connect(self._update)
        self._update()
        self.resize(520, self.sizeHint().height())

    def _scope_choice(self, projects: Sequence[str]) -> QVBoxLayout:
        self.whole_account = QRadioButton(self.tr("The whole account (every project)"))
        self.whole_account.setObjectName("token_scope_account")
        self.whole_account.setAccessibleName(self.tr("Scope: the whole account"))
        self.some_projects = QRadioButton(self.tr("Only these projects:"))
        self.some_projects.setObjectName("token_scope_projects")
        self.some_projects.setAccessibleName(self.tr("Scope: only the checked projects"))
        scope_group = QButtonGroup(self)
        scope_group.addButton(self.whole_account)
        scope_group.addButton(self.some_projects)
        self.project_list = QListWidget()
        self.project_list.setObjectName("token_projects")
        self.project_list.setAccessibleName(self.tr("Projects the token may upload to"))
        for name in projects:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.project_list.addItem(item)
        self.project_list.setMaximumHeight(140)
        # A token limited to one project is the safe default, when there are projects.
        (self.some_projects if projects else self.whole_account).setChecked(True)
        self.some_projects.setEnabled(bool(projects))
        scope = QVBoxLayout()
        scope.addWidget(self.whole_account)
        scope.addWidget(self.some_projects)
        scope.addWidget(self.project_list)
        return scope

    def _expiry_choice(self) -> QHBoxLayout:
        self.expiry = QComboBox()
        self.expiry.setObjectName("token_expiry")
        self.expiry.setAccessibleName(self.tr("Expires"))
        labels = {
            30: self.tr("In 30 days"),
            90: self.tr("In 90 days"),
            365: self.tr("In a year"),
            None: self.tr("Never"),
            ON_A_DATE: self.tr("On a date…"),
        }
        for preset in EXPIRY_PRESETS:
            self.expiry.addItem(labels[preset], preset)
        self.expiry.setCurrentIndex(DEFAULT_PRESET)
        self.expiry_date = QDateEdit()
        self.expiry_date.setObjectName("token_expiry_date")
        self.expiry_date.setAccessibleName(self.tr("Expiry date"))
        self.expiry_date.setCalendarPopup(True)
        first = QDate(self._today.year, self._today.month, self._today.day).addDays(1)
        self.expiry_date.setMinimumDate(first)
        self.expiry_date.setMaximumDate(first.addDays(MAX_EXPIRY_DAYS - 1))
        self.expiry_date.setDate(first.addDays(29))
        expiry = QHBoxLayout()
        expiry.addWidget(self.expiry)
        expiry.addWidget(self.expiry_date)
        expiry.addStretch(1)
        return expiry

    def _permission_choice(self) -> QVBoxLayout:
        self.upload = QCheckBox(self.tr("Upload new releases and files"))
        self.upload.setObjectName("token_permission_upload")
        self.upload.setAccessibleName(self.tr("Permission: upload"))
        self.upload.setChecked(True)
        self.manage = QCheckBox(self.tr("Manage (yank, delete, collaborators, tokens)"))
        self.manage.setObjectName("token_permission_manage")
        self.manage.setAccessibleName(self.tr("Permission: manage"))
        permissions = QVBoxLayout()
        permissions.addWidget(self.upload)
        permissions.addWidget(self.manage)
        return permissions

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.addButton(
            self.tr("Create token"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setObjectName("token_create")
        self.create_button.setAccessibleName(self.tr("Create token"))
        self.create_button.setDefault(True)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("token_cancel")
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        return buttons

    def checked_projects(self) -> tuple[str, ...]:
        items = (self.project_list.item(i) for i in range(self.project_list.count()))
        return tuple(i.text() for i in items if i.checkState() == Qt.CheckState.Checked)

    def _problem(self) -> str:
        if not self.name_field.text().strip():
            return self.tr("Give the token a name, to tell it apart later.")
        if self.some_projects.isChecked() and not self.checked_projects():
            return self.tr("Check at least one project, or choose the whole account.")
        if not (self.upload.isChecked() or self.manage.isChecked()):
            return self.tr("Choose at least one permission.")
        return ""

    def _update(self) -> None:
        self.project_list.setEnabled(self.some_projects.isChecked())
        self.expiry_date.setVisible(self.expiry.currentData() == ON_A_DATE)
        problem = self._problem()
        self.problem.setText(problem)
        self.create_button.setEnabled(not problem)

    def request(self) -> TokenRequest:
        preset = self.expiry.currentData()
        if preset == ON_A_DATE:
            day = self.expiry_date.date().toPython()
            assert isinstance(day, dt.date)
            days: int | None = days_until(day, self._today)
        else:
            days = preset
        permissions = [
            name
            for name, box in (("upload", self.upload), ("manage", self.manage))
            if box.isChecked()
        ]
        projects = self.checked_projects() if self.some_projects.isChecked() else ()
        return TokenRequest(self.name_field.text().strip(), projects, tuple(permissions), days)


async def ask(parent: QWidget | None, projects: Sequence[str]) -> TokenRequest | None:
    """What token to create, or None if the user cancelled."""
    dialog = NewTokenDialog(projects, parent=parent)
    try:
        return dialog.request() if await running.run_dialog(dialog) else None
    finally:
        dialog.deleteLater()
