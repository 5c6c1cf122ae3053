"""Type the name to confirm, as PyPI asks before a destructive action."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from pypidesk.gui.dialogs import confirm_dialog
from pypidesk.gui.dialogs.confirm_dialog import ConfirmDialog
from tests.gui.manage_fixtures import Dialogs, assert_accessible


async def test_the_button_works_only_once_the_exact_word_is_typed(
    qtbot: QtBot, dialogs: Dialogs
) -> None:
    asking = asyncio.ensure_future(
        confirm_dialog.ask(
            None,
            title="Delete release",
            text="Delete <b>1.0</b> of spam? Its files' names can never be used again.",
            word="spam & <eggs>",
            confirm_label="Delete release",
        )
    )
    dialog = await dialogs.next(ConfirmDialog)
    assert_accessible(dialog)
    assert dialog.windowTitle() == "Delete release"
    prompt = dialog.findChild(QLabel, "confirm_prompt")
    assert "spam &amp; &lt;eggs&gt;" in prompt.text()
    assert not dialog.confirm_button.isEnabled()
    dialog.field.setText("spam")
    assert not dialog.confirm_button.isEnabled()
    dialog.field.setText(" spam & <eggs> ")
    assert dialog.confirm_button.isEnabled()
    dialog.confirm_button.click()
    assert await asking is True

    asking = asyncio.ensure_future(
        confirm_dialog.ask(None, title="t", text="x", word="w", confirm_label="Go")
    )
    dialog = await dialogs.next(ConfirmDialog)
    dialog.cancel_button.click()
    assert await asking is False
