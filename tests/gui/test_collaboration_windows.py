"""Two windows, two people: alice invites bob as Maintainer, bob accepts, alice sees his role.

Each window has its own settings (its own ``--config-dir``, as two people on
two machines would), and both are signed in to one live index through the
real sign-in dialog.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from PySide6.QtCore import QSettings

from pypidesk.client.credentials import CredentialStore
from pypidesk.client.profiles import Profile
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.dialogs.invite_dialog import InviteDialog
from pypidesk.gui.dialogs.sign_in import SignInDialog
from pypidesk.gui.local_index import LocalIndexController
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.pages.invitations import InvitationsPage
from pypidesk.gui.pages.project_detail import ProjectDetailPane
from pypidesk.gui.pages.projects import ProjectsPage
from pypidesk.gui.session import Session
from tests.client.live_accounts import PASSWORD, TwoUsers
from tests.conftest import LiveServer
from tests.gui.accessibility import unnamed_widgets
from tests.gui.frame_helpers import dialog_of, make_window, release, settle, show_profile, until


@asynccontextmanager
async def signed_in_window(
    config_dir: Path, profile: Profile, username: str
) -> AsyncIterator[MainWindow]:
    """A window with its own config dir, on ``profile``, signed in as ``username``."""
    settings = AppSettings(QSettings(str(config_dir / "settings.ini"), QSettings.Format.IniFormat))
    settings.local_index_data_dir = config_dir / "local-index"
    settings.local_index_port = 0
    async with httpx.AsyncClient(timeout=30) as http:
        controller = LocalIndexController(settings.local_index_data_dir, http)
        session = Session(settings, http, CredentialStore())
        window = make_window(controller, settings, session, config_dir / "log")
        window.show()
        try:
            await show_profile(window, profile)
            window.sign_in_button.click()
            dialog = await dialog_of(SignInDialog)
            dialog.username.setText(username)
            dialog.secret.setText(PASSWORD)
            dialog.ok_button.click()
            await until(lambda: window.user_label.text() == username)
            await window.wait_for_pages()
            await settle(window)
            yield window
        finally:
            await settle(window)
            await release(window)
        await controller.stop()


def page_of(window: MainWindow, kind: type) -> object:
    row, page = next((r, p) for r, p in enumerate(window.pages) if isinstance(p, kind))
    window.page_list.setCurrentRow(row)
    return page


async def test_alice_invites_bob_in_her_window_and_sees_his_role_once_he_accepts_in_his(
    live_server: LiveServer, tmp_path: Path
) -> None:
    users = TwoUsers(live_server)
    profile = Profile("Team index", users.url + "/simple/", users.url + "/legacy/")
    async with (
        signed_in_window(tmp_path / "alice", profile, "alice") as alices,
        signed_in_window(tmp_path / "bob", profile, "bob") as bobs,
    ):
        projects = page_of(alices, ProjectsPage)
        assert isinstance(projects, ProjectsPage)
        row = projects.model.row_where(lambda p: p.name == "alpha")
        assert row is not None
        projects.table.select_row(row)
        projects.detail.tabs.setCurrentIndex(ProjectDetailPane.COLLABORATORS_TAB)
        await settle(alices)
        tab = projects.detail.collaborators_tab
        members = tab.members
        assert [members.row_at(r).username for r in range(members.rowCount())] == ["alice"]
        assert unnamed_widgets(projects) == []

        tab.invite_button.click()
        invite = await dialog_of(InviteDialog)
        assert unnamed_widgets(invite) == []
        invite.username.setText("bob")
        invite.role.setCurrentIndex(invite.role.findData("Maintainer"))
        invite.invite_button.click()
        await until(lambda: tab.invitations.rowCount() == 1)
        await settle(alices)
        assert tab.invitations.row_at(0).username == "bob"

        # bob's window: the badge, then Accept on his Invitations page.
        invitations = page_of(bobs, InvitationsPage)
        assert isinstance(invitations, InvitationsPage)
        await bobs.refresh()  # F5 on his Invitations page
        await settle(bobs)
        await until(lambda: invitations.model.rowCount() == 1)
        assert bobs.page_list.item(bobs.pages.index(invitations)).text() == "Invitations (1)"
        invitations.view.selectRow(0)
        invitations.accept_button.click()
        await until(lambda: invitations.model.rowCount() == 0)
        await settle(bobs)

        # alice's window, after F5: bob is a Maintainer, the invitation is gone.
        await alices.refresh()
        await settle(alices)
        roles = {members.row_at(r).username: members.row_at(r).role for r in range(2)}
        assert roles == {"alice": "Owner", "bob": "Maintainer"}
        assert members.index(1, 1).data() == "Maintainer"
        assert tab.invitations.rowCount() == 0
