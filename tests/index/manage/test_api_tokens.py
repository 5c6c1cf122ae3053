"""Token listing and revocation, from the user's side and from the project's."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import ApiToken, Project, User, utcnow
from pypidesk.index.manage import api_tokens
from pypidesk.index.manage.errors import NotFoundError, PermissionDeniedError
from tests.index.manage.factories import Records, context, event_rows, snapshot


def _token(
    database: Database,
    username: str,
    name: str,
    projects: tuple[str, ...] = (),
    permissions: tuple[str, ...] = ("upload",),
) -> str:
    with database.write() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        scoped = [
            session.scalars(select(Project).where(Project.normalized_name == p)).one()
            for p in projects
        ]
        token = ApiToken(
            user_id=user.id,
            name=name,
            key_salt=b"\0" * 32,
            permissions=list(permissions),
            project_names=[p.normalized_name for p in scoped],
            project_uuids=[p.uuid for p in scoped],
            created=utcnow() + dt.timedelta(seconds=len(name)),
        )
        session.add(token)
        session.flush()
        return token.id


@pytest.fixture
def setup(records: Records) -> Records:
    for name in ("alice", "bob", "eve"):
        records.user(name)
    records.project("spam", owners=("alice",), maintainers=("bob",))
    records.project("eggs", owners=("eve",))
    return records


def test_owner_lists_and_revokes_every_token_that_can_upload_to_the_project(
    database: Database, setup: Records
) -> None:
    bobs = _token(database, "bob", "bob-ci", ("spam", "eggs"))
    _token(database, "bob", "bob-account")
    _token(database, "bob", "bob-manage-only", permissions=("manage",))
    _token(database, "eve", "eve-eggs", ("eggs",))
    _token(database, "eve", "eve-account")
    with database.read() as session:
        # Scoped to spam, or bob's whole account (he maintains spam); not eve's, not manage-only.
        assert [t.name for t in api_tokens.project_tokens(context(session, "alice"), "spam")] == [
            "bob-account",
            "bob-ci",
        ]
        assert [t.name for t in api_tokens.project_tokens(context(session, "eve"), "eggs")] == [
            "eve-account",
            "eve-eggs",
            "bob-ci",
        ]
        with pytest.raises(PermissionDeniedError):
            api_tokens.project_tokens(context(session, "bob"), "spam")
    before = snapshot(database)
    with database.write() as session, pytest.raises(PermissionDeniedError):
        api_tokens.revoke_project_token(context(session, "bob"), "spam", bobs)
    with database.write() as session, pytest.raises(NotFoundError) as caught:
        api_tokens.revoke_project_token(context(session, "alice"), "spam", "nope")
    assert caught.value.message == "No token with id 'nope' is scoped to project 'spam'."
    assert snapshot(database) == before
    with database.write() as session:
        api_tokens.revoke_project_token(context(session, "alice"), "spam", bobs)
    with database.read() as session:
        bob = session.scalars(select(User).where(User.username == "bob")).one()
        assert [t.name for t in api_tokens.tokens_of(session, bob)] == [
            "bob-manage-only",
            "bob-account",
        ]
    event = event_rows(database)[-1]
    assert (event.tag, event.username, event.additional["target_user"]) == (
        "project:api_token:removed",
        "alice",
        "bob",
    )


def test_a_token_for_a_deleted_namesake_is_not_listed(database: Database, setup: Records) -> None:
    _token(database, "alice", "old-spam", ("spam",))
    with database.write() as session:
        session.scalars(select(Project).where(Project.name == "spam")).one().uuid = "new-uuid"
    with database.read() as session:
        assert api_tokens.project_tokens(context(session, "alice"), "spam") == []


def test_a_user_revokes_only_their_own_tokens(database: Database, setup: Records) -> None:
    alices = _token(database, "alice", "laptop")
    before = snapshot(database)
    with database.write() as session:
        bob_context = context(session, "bob")
        with pytest.raises(NotFoundError) as caught:
            api_tokens.revoke_own_token(bob_context, bob_context.actor.user, alices)
    assert caught.value.message == f"No token with id '{alices}' for user 'bob'."
    assert snapshot(database) == before
    with database.write() as session:
        alice = session.scalars(select(User).where(User.username == "alice")).one()
        assert (
            api_tokens.revoke_own_token(context(session, "alice"), alice, alices).name == "laptop"
        )
    with database.read() as session:
        assert session.scalars(select(ApiToken)).all() == []
    assert event_rows(database)[-1].tag == "account:api_token:removed"
