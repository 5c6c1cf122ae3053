"""A project's Collaborators tab against a live index: invite, roles, PyPI's sole-owner rule."""

from __future__ import annotations

import httpx

from pypidesk.client.manage import ManageAPI
from pypidesk.gui.dialogs.confirm_dialog import ConfirmDialog
from pypidesk.gui.dialogs.invite_dialog import InviteDialog
from pypidesk.gui.pages.managed_page import PageState
from pypidesk.gui.pages.project_detail import ProjectDetailPane
from pypidesk.gui.pages.projects import ProjectsPage
from tests.client.live_accounts import TwoUsers
from tests.gui.manage_fixtures import Dialogs, assert_accessible, context
from tests.gui.pages.project_helpers import cells, open_project, page, select

__all__ = ["page"]
COLLABORATORS = ProjectDetailPane.COLLABORATORS_TAB


async def test_invite_change_and_remove_with_the_sole_owner_rule_said_where_it_applies(
    page: ProjectsPage, users: TwoUsers, http: httpx.AsyncClient, dialogs: Dialogs
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    bob = ManageAPI(http, users.url, users.bob)
    await page.show_context(context(http, users.url, users.alice, "alice"))
    await open_project(page, "alpha", COLLABORATORS)
    tab = page.detail.collaborators_tab
    assert tab.state is PageState.LOADED
    assert cells(tab.members_view) == [["alice (you)", "Owner"]]
    assert_accessible(tab)

    # The rule is on screen before anyone tries: alice owns alpha alone.
    assert not tab.rule_note.isHidden()
    assert tab.rule_note.text().startswith("You are the only Owner of alpha. PyPI's rule:")
    select(tab.members_view, 0, "alice (you)")
    assert tab.remove_button.text() == "&Leave project…"
    tab.remove_button.click()
    await page.wait_idle()
    assert tab.banner.isVisible()
    assert "can't leave it or step down to Maintainer" in tab.banner.text()
    assert tab.rule_note.isHidden()  # said once, in the banner
    assert dialogs.queue.empty()  # explained, not asked
    tab.role_button.click()
    await page.wait_idle()
    assert "only Owner" in tab.banner.text()

    tab.invite_button.click()
    invite = await dialogs.next(InviteDialog)
    assert_accessible(invite)
    assert not invite.invite_button.isEnabled()
    invite.username.setText("bob")
    invite.role.setCurrentIndex(invite.role.findData("Maintainer"))
    invite.invite_button.click()
    await page.wait_idle()
    assert not tab.banner.isVisible()
    (pending,) = cells(tab.invitations_view)
    assert pending[:3] == ["bob", "Maintainer", "alice"]
    assert pending[3] == "in 5 hours"

    # Invited twice: the server's words, the list stays.
    tab.invite_button.click()
    invite = await dialogs.next(InviteDialog)
    invite.username.setText("bob")
    invite.invite_button.click()
    await page.wait_idle()
    assert tab.banner.text().startswith("Couldn't invite bob: ")
    assert "already has an active invite" in tab.banner.text()

    await bob.accept_invitation("alpha")
    await tab.load()
    assert cells(tab.members_view) == [["alice (you)", "Owner"], ["bob", "Maintainer"]]
    assert not tab.rule_note.isHidden()  # still the only Owner
    select(tab.members_view, 0, "bob")
    assert tab.role_button.text() == "Make Owner"
    tab.role_button.click()
    await page.wait_idle()
    assert cells(tab.members_view) == [["alice (you)", "Owner"], ["bob", "Owner"]]
    assert tab.rule_note.isHidden()

    # An Owner never changes their own role: said, not sent.
    select(tab.members_view, 0, "alice (you)")
    assert tab.role_button.text() == "Make Maintainer"
    tab.role_button.click()
    await page.wait_idle()
    assert tab.banner.text().startswith("You can't change your own role")

    # bob leaves behind the tab's back: alice is alone again, and the index says so.
    await bob.remove_collaborator("alpha", "bob")
    tab.remove_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    assert confirm.windowTitle() == "Leave project"
    confirm.field.setText("alice")
    confirm.confirm_button.click()
    await page.wait_idle()
    assert "You are the only Owner of alpha" in tab.banner.text()
    assert "The index said: Cannot remove yourself as Sole Owner" in tab.banner.text()

    # Remove a collaborator (typed name), and revoke an invitation.
    await alice.invite("alpha", "bob", "Owner")
    await bob.accept_invitation("alpha")
    await tab.load()
    select(tab.members_view, 0, "bob")
    tab.remove_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    assert confirm.windowTitle() == "Remove collaborator"
    confirm.field.setText("bob")
    confirm.confirm_button.click()
    await page.wait_idle()
    assert cells(tab.members_view) == [["alice (you)", "Owner"]]

    await alice.invite("alpha", "bob", "Maintainer")
    await tab.load()
    select(tab.invitations_view, 0, "bob")
    assert tab.revoke_button.isEnabled()
    tab.revoke_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    confirm.field.setText("bob")
    confirm.confirm_button.click()
    await page.wait_idle()
    assert cells(tab.invitations_view) == []
    assert tab.invitations_view.isHidden()
    assert tab.invitations_heading.text().startswith("No pending invitations.")
    assert await bob.invitations() == []
    assert_accessible(page)


async def test_a_maintainer_sees_the_members_and_may_leave(
    page: ProjectsPage, users: TwoUsers, http: httpx.AsyncClient, dialogs: Dialogs
) -> None:
    alice = ManageAPI(http, users.url, users.alice)
    bob = ManageAPI(http, users.url, users.bob)
    await alice.invite("alpha", "bob", "Maintainer")
    await bob.accept_invitation("alpha")
    projects = []
    page.projects_shown.connect(projects.append)
    await page.show_context(context(http, users.url, users.bob, "bob"))
    await open_project(page, "alpha", COLLABORATORS)
    tab = page.detail.collaborators_tab
    assert cells(tab.members_view) == [["alice", "Owner"], ["bob (you)", "Maintainer"]]
    assert not tab.invite_button.isEnabled()
    assert tab.invitations_view.isHidden()
    assert tab.rule_note.isHidden()
    select(tab.members_view, 0, "alice")
    assert not tab.remove_button.isEnabled()
    assert not tab.role_button.isEnabled()
    # Yank and delete are for Owners: disabled, and the tooltip says why.
    assert not page.detail.yank_button.isEnabled()
    assert page.detail.yank_button.toolTip() == "Only an Owner of the project can yank or delete."

    select(tab.members_view, 0, "bob (you)")
    tab.remove_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    confirm.cancel_button.click()
    await page.wait_idle()
    assert len(cells(tab.members_view)) == 2
    tab.remove_button.click()
    confirm = await dialogs.next(ConfirmDialog)
    confirm.field.setText("bob")
    confirm.confirm_button.click()
    await page.wait_idle()
    # Left: the Projects page loads again, and alpha is no longer bob's.
    assert projects[-1] == 0
    assert await bob.my_projects() == []
