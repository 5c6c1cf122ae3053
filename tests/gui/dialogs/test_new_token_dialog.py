"""The New token dialog: what it asks, what it refuses, what it returns."""

from __future__ import annotations

import asyncio
import datetime as dt

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from pypidesk.gui.dialogs import new_token_dialog
from pypidesk.gui.dialogs.new_token_dialog import NewTokenDialog, TokenRequest
from tests.gui.manage_fixtures import Dialogs, assert_accessible

TODAY = dt.date(2026, 3, 1)


def test_defaults_problems_and_the_request(qtbot: QtBot) -> None:
    dialog = NewTokenDialog(["alpha", "beta"], today=TODAY)
    qtbot.addWidget(dialog)
    assert_accessible(dialog)
    assert dialog.some_projects.isChecked()
    assert dialog.expiry.currentText() == "In 90 days"
    assert dialog.expiry_date.isHidden()
    assert dialog.problem.text() == "Give the token a name, to tell it apart later."

    dialog.name_field.setText("  ci  ")
    assert dialog.problem.text() == "Check at least one project, or choose the whole account."
    dialog.whole_account.setChecked(True)
    assert not dialog.project_list.isEnabled()
    assert dialog.create_button.isEnabled()
    dialog.upload.setChecked(False)
    assert dialog.problem.text() == "Choose at least one permission."
    dialog.manage.setChecked(True)
    assert dialog.request() == TokenRequest("ci", (), ("manage",), 90)

    dialog.some_projects.setChecked(True)
    dialog.project_list.item(1).setCheckState(Qt.CheckState.Checked)
    dialog.upload.setChecked(True)
    dialog.expiry.setCurrentIndex(dialog.expiry.findText("Never"))
    assert dialog.request() == TokenRequest("ci", ("beta",), ("upload", "manage"), None)

    dialog.expiry.setCurrentIndex(dialog.expiry.findText("On a date…"))
    assert not dialog.expiry_date.isHidden()
    assert dialog.expiry_date.minimumDate() == QDate(2026, 3, 2)
    assert dialog.expiry_date.date() == QDate(2026, 3, 31)
    assert dialog.request().expires_in_days == 30
    dialog.expiry_date.setDate(QDate(2026, 3, 2))
    assert dialog.request().expires_in_days == 1


async def test_ask_returns_the_request_or_none(qtbot: QtBot, dialogs: Dialogs) -> None:
    asking = asyncio.ensure_future(new_token_dialog.ask(None, []))
    dialog = await dialogs.next(NewTokenDialog)
    assert dialog.whole_account.isChecked()
    dialog.name_field.setText("laptop twine")
    dialog.expiry.setCurrentIndex(dialog.expiry.findText("In a year"))
    dialog.create_button.click()
    assert await asking == TokenRequest("laptop twine", (), ("upload",), 365)

    asking = asyncio.ensure_future(new_token_dialog.ask(None, ["alpha"]))
    dialog = await dialogs.next(NewTokenDialog)
    dialog.reject()
    assert await asking is None
