"""Collaborators: invitations, role changes and removals, with PyPI's rules and texts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import Role, RoleInvitation, User, utcnow
from pypidesk.index.manage import roles
from pypidesk.index.manage.context import as_utc
from pypidesk.index.manage.errors import (
    ConflictError,
    DisabledError,
    ManageError,
    NotFoundError,
    PermissionDeniedError,
)
from pypidesk.index.records import flags
from tests.index.manage.factories import (
    Records,
    context,
    event_rows,
    journal_actions,
    snapshot,
)


@pytest.fixture
def team(records: Records) -> Records:
    """alice owns "Spam"; mallory maintains it; bob and eve have no role."""
    for name in ("alice", "bob", "mallory", "eve"):
        records.user(name)
    records.project("Spam", owners=("alice",), maintainers=("mallory",))
    return records


def _roles(database: Database) -> dict[str, str]:
    with database.read() as session:
        return {role.user.username: role.role_name for role in session.scalars(select(Role)).all()}


def _invite(database: Database, actor: str | None, username: str, role: str = "Maintainer"):
    with database.write() as session:
        return roles.invite(context(session, actor), "spam", username, role)


def test_invite_then_accept_grants_the_role(database: Database, team: Records) -> None:
    before = utcnow()
    invitation = _invite(database, "alice", "BOB", "Maintainer")
    expires = as_utc(invitation.expires_at)
    assert before + dt.timedelta(hours=6) <= expires <= utcnow() + dt.timedelta(hours=6)
    with database.read() as session:
        bob = session.scalars(select(User).where(User.username == "bob")).one()
        assert [i.role_name for i in roles.invitations_of(session, bob)] == ["Maintainer"]
    with database.write() as session:
        role = roles.accept_invitation(context(session, "bob"), "SPAM")
        assert role.role_name == "Maintainer"
    assert _roles(database)["bob"] == "Maintainer"
    with database.read() as session:
        assert session.scalars(select(RoleInvitation)).all() == []
        bob = session.scalars(select(User).where(User.username == "bob")).one()
        assert [(p.name, r) for p, r in roles.projects_of(session, bob)] == [
            ("Spam", "Maintainer")
        ]
    assert journal_actions(database) == [
        ("Spam", None, "invite Maintainer bob", "alice"),
        ("Spam", None, "accepted Maintainer bob", "bob"),
    ]
    events = event_rows(database)
    assert [(e.tag, e.username, e.project_normalized_name) for e in events] == [
        ("project:role:invite", "alice", "spam"),
        ("project:role:accepted", "bob", "spam"),
    ]
    assert events[0].additional["target_user"] == "bob"
    assert events[0].additional["role_name"] == "Maintainer"


def test_invite_is_for_owners_only(database: Database, team: Records) -> None:
    before = snapshot(database)
    for actor in ("mallory", "eve"):
        with pytest.raises(PermissionDeniedError) as caught:
            _invite(database, actor, "bob")
        assert caught.value.message == "Only an Owner of project 'Spam' can do this."
        assert caught.value.code == "not_owner"
    assert snapshot(database) == before


def test_invite_refusals_have_pypis_texts(database: Database, team: Records) -> None:
    with pytest.raises(ConflictError) as caught:
        _invite(database, "alice", "mallory", "Owner")
    assert caught.value.message == "User 'mallory' already has Maintainer role for project"
    with pytest.raises(ConflictError) as caught:
        _invite(database, "alice", "alice", "Owner")
    assert caught.value.message == "User 'alice' already has Owner role for project"
    _invite(database, "alice", "bob")
    before = snapshot(database)
    with pytest.raises(ConflictError) as caught:
        _invite(database, "alice", "bob", "Owner")
    assert caught.value.message == (
        "User 'bob' already has an active invite. Please try again later."
    )
    assert caught.value.code == "already_invited"
    assert snapshot(database) == before


def test_unknown_inactive_user_role_and_project_are_refused(
    database: Database, team: Records
) -> None:
    team.user("ghost", active=False)
    before = snapshot(database)
    with pytest.raises(NotFoundError, match=r"No user named 'nobody'\."):
        _invite(database, "alice", "nobody")
    with pytest.raises(NotFoundError, match=r"No user named 'ghost'\."):
        _invite(database, "alice", "ghost")
    with pytest.raises(ManageError) as caught:
        _invite(database, "alice", "bob", "Admin")
    assert caught.value.message == "Unknown role 'Admin'; use 'Owner' or 'Maintainer'."
    assert caught.value.code == "invalid_role"
    with database.write() as session, pytest.raises(NotFoundError, match="No project named 'x'"):
        roles.invite(context(session, "alice"), "x", "bob", "Owner")
    assert snapshot(database) == before


def _expire_invitations(database: Database) -> None:
    with database.write() as session:
        for invitation in session.scalars(select(RoleInvitation)):
            invitation.expires_at = utcnow() - dt.timedelta(seconds=1)


def test_an_expired_invitation_cannot_be_accepted_but_can_be_renewed(
    database: Database, team: Records
) -> None:
    _invite(database, "alice", "bob")
    _expire_invitations(database)
    with database.read() as session:
        bob = session.scalars(select(User).where(User.username == "bob")).one()
        assert roles.invitations_of(session, bob) == []
    before = snapshot(database)
    with database.write() as session, pytest.raises(ConflictError) as caught:
        roles.accept_invitation(context(session, "bob"), "spam")
    assert caught.value.message == (
        "The invitation to project 'Spam' has expired; ask an Owner to invite you again."
    )
    assert snapshot(database) == before
    _invite(database, "alice", "bob", "Owner")
    with database.write() as session:
        assert roles.accept_invitation(context(session, "bob"), "spam").role_name == "Owner"


def test_decline_removes_the_invitation_without_a_journal_entry(
    database: Database, team: Records
) -> None:
    _invite(database, "alice", "bob")
    with database.write() as session:
        roles.decline_invitation(context(session, "bob"), "spam")
    assert "bob" not in _roles(database)
    assert [a for _, _, a, _ in journal_actions(database)] == ["invite Maintainer bob"]
    assert event_rows(database)[-1].tag == "project:role:decline_invite"
    with database.write() as session, pytest.raises(NotFoundError) as caught:
        roles.decline_invitation(context(session, "bob"), "spam")
    assert caught.value.message == "No invitation to project 'Spam' for user 'bob'."


def test_only_the_invitee_answers_an_invitation(database: Database, team: Records) -> None:
    _invite(database, "alice", "bob")
    before = snapshot(database)
    with database.write() as session, pytest.raises(NotFoundError):
        roles.accept_invitation(context(session, "eve"), "spam")
    with database.write() as session, pytest.raises(PermissionDeniedError) as caught:
        roles.accept_invitation(context(session, None), "spam")
    assert caught.value.code == "not_invitee"
    assert snapshot(database) == before


def test_an_owner_revokes_a_pending_invitation(database: Database, team: Records) -> None:
    _invite(database, "alice", "bob", "Owner")
    before = snapshot(database)
    with database.write() as session, pytest.raises(PermissionDeniedError):
        roles.revoke_invitation(context(session, "mallory"), "spam", "bob")
    assert snapshot(database) == before
    with database.write() as session:
        roles.revoke_invitation(context(session, "alice"), "spam", "bob")
    assert journal_actions(database)[-1] == ("Spam", None, "revoke_invite Owner bob", "alice")
    with database.write() as session, pytest.raises(NotFoundError):
        roles.accept_invitation(context(session, "bob"), "spam")
    with database.write() as session, pytest.raises(NotFoundError):
        roles.revoke_invitation(context(session, "alice"), "spam", "bob")


def test_change_role_journals_old_and_new(database: Database, team: Records) -> None:
    with database.write() as session:
        role = roles.change_role(context(session, "alice"), "spam", "mallory", "Owner")
        assert role.role_name == "Owner"
    assert _roles(database) == {"alice": "Owner", "mallory": "Owner"}
    assert journal_actions(database) == [
        ("Spam", None, "change Maintainer mallory to Owner", "alice")
    ]
    event = event_rows(database)[-1]
    assert (event.tag, event.additional["old_role_name"]) == ("project:role:change", "Maintainer")
    # The same role again changes nothing and writes nothing.
    with database.write() as session:
        roles.change_role(context(session, "alice"), "spam", "mallory", "Owner")
    assert len(journal_actions(database)) == 1


def test_an_owner_cannot_change_their_own_role(database: Database, team: Records) -> None:
    with database.write() as session:
        roles.change_role(context(session, "alice"), "spam", "mallory", "Owner")
    before = snapshot(database)
    with database.write() as session, pytest.raises(ConflictError) as caught:
        roles.change_role(context(session, "alice"), "spam", "alice", "Maintainer")
    assert caught.value.message == "Cannot remove yourself as Owner"
    with database.write() as session, pytest.raises(NotFoundError) as caught:
        roles.change_role(context(session, "alice"), "spam", "bob", "Maintainer")
    assert caught.value.message == "User 'bob' has no role in project 'Spam'."
    with database.write() as session, pytest.raises(PermissionDeniedError):
        roles.change_role(context(session, "eve"), "spam", "mallory", "Maintainer")
    assert snapshot(database) == before


def test_sole_owner_cannot_leave_but_one_of_two_can(database: Database, team: Records) -> None:
    before = snapshot(database)
    with database.write() as session, pytest.raises(ConflictError) as caught:
        roles.remove_role(context(session, "alice"), "spam", "alice")
    assert caught.value.message == "Cannot remove yourself as Sole Owner"
    assert caught.value.code == "sole_owner"
    assert snapshot(database) == before
    with database.write() as session:
        roles.change_role(context(session, "alice"), "spam", "mallory", "Owner")
    with database.write() as session:
        roles.remove_role(context(session, "alice"), "spam", "alice")
    assert _roles(database) == {"mallory": "Owner"}
    assert journal_actions(database)[-1] == ("Spam", None, "remove Owner alice", "alice")


def test_owner_removes_others_and_maintainers_may_only_leave(
    database: Database, team: Records
) -> None:
    team.user("zoe")
    team.project("Eggs", owners=("alice",), maintainers=("zoe", "mallory"))
    before = snapshot(database)
    with database.write() as session, pytest.raises(PermissionDeniedError):
        roles.remove_role(context(session, "mallory"), "eggs", "zoe")
    with database.write() as session, pytest.raises(PermissionDeniedError):
        roles.remove_role(context(session, "mallory"), "eggs", "alice")
    assert snapshot(database) == before
    with database.write() as session:
        roles.remove_role(context(session, "mallory"), "eggs", "mallory")
        roles.remove_role(context(session, "alice"), "eggs", "zoe")
    assert [a for n, _, a, _ in journal_actions(database) if n == "Eggs"] == [
        "remove Maintainer mallory",
        "remove Maintainer zoe",
    ]
    removal = event_rows(database)[-1]
    assert (removal.username, removal.additional["target_user"]) == ("alice", "zoe")


def test_collaborator_listing(database: Database, team: Records) -> None:
    _invite(database, "alice", "bob")
    team.user("carl")
    _invite(database, "alice", "carl", "Owner")
    with database.write() as session:
        session.scalars(
            select(RoleInvitation).where(RoleInvitation.role_name == "Owner")
        ).one().expires_at = utcnow() - dt.timedelta(minutes=1)
    with database.read() as session:
        listing = roles.list_collaborators(context(session, "alice"), "spam")
        assert [(r.user.username, r.role_name) for r in listing.roles] == [
            ("alice", "Owner"),
            ("mallory", "Maintainer"),
        ]
        assert [i.role_name for i in listing.invitations] == ["Maintainer"]
        maintainer_view = roles.list_collaborators(context(session, "mallory"), "spam")
        assert len(maintainer_view.roles) == 2
        assert maintainer_view.invitations == []
        assert len(roles.list_collaborators(context(session, None), "spam").invitations) == 1
        with pytest.raises(PermissionDeniedError) as caught:
            roles.list_collaborators(context(session, "eve"), "spam")
        assert caught.value.message == "You are not a collaborator on project 'Spam'."


def test_read_only_refuses_everyone_but_the_administrator(
    database: Database, team: Records
) -> None:
    _invite(database, "alice", "eve")
    with database.write() as session:
        flags.set_flag(session, flags.READ_ONLY, True)
    before = snapshot(database)
    attempts = [
        lambda c: roles.invite(c("alice"), "spam", "bob", "Owner"),
        lambda c: roles.accept_invitation(c("eve"), "spam"),
        lambda c: roles.decline_invitation(c("eve"), "spam"),
        lambda c: roles.revoke_invitation(c("alice"), "spam", "eve"),
        lambda c: roles.change_role(c("alice"), "spam", "mallory", "Owner"),
        lambda c: roles.remove_role(c("mallory"), "spam", "mallory"),
    ]
    for attempt in attempts:
        with database.write() as session, pytest.raises(DisabledError) as caught:
            attempt(lambda name, s=session: context(s, name))
        assert caught.value.code == "read_only"
        assert caught.value.message.startswith("Read-only mode:")
    assert snapshot(database) == before
    with database.write() as session:
        roles.invite(context(session, None), "spam", "bob", "Owner")
    assert journal_actions(database)[-1] == ("Spam", None, "invite Owner bob", None)
    assert event_rows(database)[-1].additional["by"] == "admin"


def test_the_administrator_adds_roles_directly(database: Database, team: Records) -> None:
    _invite(database, "alice", "bob")
    with database.write() as session:
        role = roles.add_role(context(session, None), "spam", "bob", "Owner")
        assert role.role_name == "Owner"
    assert _roles(database)["bob"] == "Owner"
    with database.read() as session:
        assert session.scalars(select(RoleInvitation)).all() == []
    assert journal_actions(database)[-1] == ("Spam", None, "add Owner bob", None)
    with database.write() as session, pytest.raises(ConflictError) as caught:
        roles.add_role(context(session, None), "spam", "bob", "Maintainer")
    assert caught.value.message == "User 'bob' already has Owner role for project"
    with database.write() as session, pytest.raises(PermissionDeniedError) as caught:
        roles.add_role(context(session, "alice"), "spam", "eve", "Owner")
    assert caught.value.code == "admin_only"
    with database.write() as session:
        roles.add_role(context(session, None), "spam", "eve", "Maintainer")
    assert _roles(database)["eve"] == "Maintainer"
