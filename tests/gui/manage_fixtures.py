"""Fixtures for the management pages: a live index with two users, contexts, dialogs as they open.

Dialogs open with ``open()`` (never a nested loop), so a test cannot click
them from inside ``exec()``; instead every dialog the code runs is put on a
queue the test awaits, then driven by its real widgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TypeVar

import httpx
import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QWidget,
)

from pypidesk.client.profiles import Profile, local_profile
from pypidesk.gui.dialogs import running
from pypidesk.gui.pages.base import IndexContext
from tests.client.live_accounts import TwoUsers
from tests.conftest import LiveServer

D = TypeVar("D", bound=QDialog)
INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture
def users(live_server: LiveServer) -> TwoUsers:
    return TwoUsers(live_server)


def context(
    http: httpx.AsyncClient,
    url: str | Profile,
    token: str | None = None,
    username: str | None = None,
) -> IndexContext:
    profile = url if isinstance(url, Profile) else local_profile(url)
    return IndexContext(profile, http, username, token)


class Dialogs:
    """Every dialog run through :func:`running.run_dialog`, in the order they open."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[QDialog] = asyncio.Queue()

    async def next(self, kind: type[D]) -> D:
        dialog = await asyncio.wait_for(self.queue.get(), 30)
        assert isinstance(dialog, kind), dialog
        assert dialog.isVisible()
        return dialog


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    seen = Dialogs()
    original = running.run_dialog

    async def announce(dialog: QDialog) -> bool:
        dialog.open()  # as run_dialog does (opening again is harmless)
        seen.queue.put_nowait(dialog)
        return await original(dialog)

    monkeypatch.setattr(running, "run_dialog", announce)
    return seen


def interactive_widgets(root: QWidget) -> list[QWidget]:
    """The widgets a user operates, not the parts inside them (a combo's list, a spin's edit)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE):
            continue
        parent = widget.parentWidget()
        internal = False
        while parent is not None and parent is not root:
            if isinstance(parent, INTERACTIVE):
                internal = True
                break
            parent = parent.parentWidget()
        if not internal:
            found.append(widget)
    return found


def assert_accessible(root: QWidget) -> None:
    """Every interactive widget has an accessibleName and an objectName (issue 15)."""
    missing = [
        f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', lambda: '')()!r}"
        for w in interactive_widgets(root)
        if not (w.objectName() and w.accessibleName())
    ]
    assert not missing, missing
