"""The secret is shown once, copied or saved to the keyring through the frame's callback."""

from __future__ import annotations

import asyncio

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from pypidesk.gui.dialogs import token_secret_dialog
from pypidesk.gui.dialogs.token_secret_dialog import TokenSecretDialog
from tests.gui.manage_fixtures import Dialogs

SECRET = "pypi-AgEIcHlwaS5vcmc-not-a-real-token"


async def test_without_a_keyring_callback_only_copy_is_offered(
    qtbot: QtBot, dialogs: Dialogs
) -> None:
    showing = asyncio.ensure_future(token_secret_dialog.show(None, "ci", SECRET, None))
    dialog = await dialogs.next(TokenSecretDialog)
    assert dialog.save_button.isHidden()
    assert "only time it is shown" in dialog.findChild(QLabel, "token_secret_warning").text()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == SECRET
    assert dialog.outcome.text() == "Copied to the clipboard."
    dialog.accept()
    await showing


async def test_a_keyring_failure_is_said_without_the_secret(qtbot: QtBot) -> None:
    attempts: list[str] = []
    second: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def failing(secret: str) -> None:
        attempts.append(secret)
        if len(attempts) == 1:
            raise RuntimeError(f"no keyring backend for {secret}")
        second.set_result(None)  # the dialog's handling runs in this same step
        raise OSError

    dialog = TokenSecretDialog("ci", SECRET, failing)
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isHidden()
    await dialog.save()
    assert dialog.outcome.text() == (
        "Could not save to the keyring: no keyring backend for …. Copy the token instead."
    )
    assert dialog.save_button.isEnabled()
    # Through the button, as a user would; an error without words names its kind.
    dialog.save_button.click()
    await asyncio.wait_for(second, 10)
    assert dialog.save_button.isEnabled()
    assert (
        dialog.outcome.text() == "Could not save to the keyring: OSError. Copy the token instead."
    )
