"""Every interactive widget of the window, each page and each dialog has both names."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from pypidesk.client.profiles import Profile
from pypidesk.gui.dialogs.about import AboutDialog
from pypidesk.gui.dialogs.invite_dialog import InviteDialog
from pypidesk.gui.dialogs.profiles import ProfilesDialog
from pypidesk.gui.dialogs.sign_in import SignInDialog
from pypidesk.gui.dialogs.yank_dialog import YankDialog
from pypidesk.gui.main_window import MainWindow
from tests.gui.accessibility import unnamed_widgets


async def test_the_frame_names_every_interactive_widget(window: MainWindow) -> None:
    assert unnamed_widgets(window) == []


async def test_every_page_names_every_interactive_widget(window: MainWindow) -> None:
    assert window.pages, "the window lists no pages"
    for row, page in enumerate(window.pages):
        window.page_list.setCurrentRow(row)
        assert unnamed_widgets(page) == [], page.title


async def no_attempt(username: str, secret: str) -> str | None:
    return None


@pytest.mark.parametrize(
    "make",
    [
        lambda: SignInDialog("PyPI", False, no_attempt),
        lambda: SignInDialog("Local test index", True, no_attempt),
        lambda: ProfilesDialog([Profile("A", "https://a/simple/", "https://a/")], ["PyPI"]),
        lambda: AboutDialog(Path("/log"), Path("/data")),
        lambda: InviteDialog("demo-lib", 6),
        lambda: YankDialog("demo-lib", "2.0"),
    ],
    ids=["sign-in-token", "sign-in-password", "profiles", "about", "invite", "yank"],
)
def test_every_dialog_names_every_interactive_widget(qtbot: QtBot, make: object) -> None:
    dialog = make()  # type: ignore[operator]
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed_widgets(dialog) == []


def test_the_walker_finds_an_unnamed_widget(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    QPushButton("Go", root)
    named = QLineEdit(root)
    named.setObjectName("field")
    named.setAccessibleName("Field")
    assert unnamed_widgets(root) == ["QPushButton '' 'Go': no objectName, accessibleName"]


async def test_the_left_column_names_each_page_by_its_own_title(window: MainWindow) -> None:
    from pypidesk.gui.pages.registry import PAGES

    assert [spec.title for spec in PAGES] == [page.title for page in window.pages]
    labels = [window.page_list.item(row).text() for row in range(window.page_list.count())]
    assert labels == [page.title for page in window.pages]


def test_the_project_detail_names_its_management_tabs_and_actions(qtbot: QtBot) -> None:
    from pypidesk.gui.pages.project_detail import ProjectDetailPane

    pane = ProjectDetailPane()
    qtbot.addWidget(pane)
    assert unnamed_widgets(pane) == []
    for name in (
        "yankButton",
        "deleteReleaseButton",
        "deleteFileButton",
        "deleteProjectButton",
        "collaborators_invite",
        "collaborators_role",
        "collaborators_remove",
        "collaborators_revoke_invitation",
        "collaborators_table",
        "collaborators_invitations",
        "project_tokens_table",
        "project_tokens_revoke",
        "project_activity_table",
        "project_activity_kind",
        "project_activity_filter",
        "project_activity_more",
    ):
        widget = pane.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
