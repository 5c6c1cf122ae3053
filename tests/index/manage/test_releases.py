"""Yank, unyank and delete: Owners only, journaled, filenames reserved forever."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import (
    File,
    FileRegistry,
    Project,
    Release,
    Role,
    RoleInvitation,
    User,
    utcnow,
)
from pypidesk.index.manage import releases
from pypidesk.index.manage.errors import (
    ConflictError,
    DisabledError,
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
def spam(records: Records) -> Records:
    """alice owns "Spam" (1.0 with two files, 2.0 with one); mallory maintains it."""
    for name in ("alice", "mallory", "eve"):
        records.user(name)
    records.project("Spam", owners=("alice",), maintainers=("mallory",))
    records.release("Spam", "1.0", filenames=("spam-1.0.tar.gz", "spam-1.0-py3-none-any.whl"))
    records.release("Spam", "2.0", filenames=("spam-2.0.tar.gz",))
    return records


def _release(database: Database, version: str) -> Release:
    with database.read() as session:
        return session.scalars(select(Release).where(Release.version == version)).one()


def _registry(database: Database) -> set[str]:
    with database.read() as session:
        return set(session.scalars(select(FileRegistry.filename)))


def _total_size(database: Database) -> int:
    with database.read() as session:
        return session.scalars(select(Project.total_size)).one()


def test_yank_and_unyank(database: Database, spam: Records) -> None:
    with database.write() as session:
        releases.yank(context(session, "alice", ip_address="10.0.0.1"), "SPAM", "1.0", "broken")
    yanked = _release(database, "1.0")
    assert (yanked.yanked, yanked.yanked_reason) == (True, "broken")
    assert yanked.yanked_at is not None
    with database.write() as session, pytest.raises(ConflictError) as caught:
        releases.yank(context(session, "alice"), "spam", "1.0")
    assert caught.value.message == "Release 1.0 of project 'Spam' is already yanked."
    with database.write() as session:
        releases.unyank(context(session, "alice"), "spam", "1.0.0")
    unyanked = _release(database, "1.0")
    assert (unyanked.yanked, unyanked.yanked_reason, unyanked.yanked_at) == (False, "", None)
    with database.write() as session, pytest.raises(ConflictError) as caught:
        releases.unyank(context(session, "alice"), "spam", "1.0")
    assert caught.value.message == "Release 1.0 of project 'Spam' is not yanked."
    assert journal_actions(database) == [
        ("Spam", "1.0", "yank release", "alice"),
        ("Spam", "1.0", "unyank release", "alice"),
    ]
    yank_event = event_rows(database)[0]
    assert (yank_event.tag, yank_event.ip_address, yank_event.additional["reason"]) == (
        "project:release:yank",
        "10.0.0.1",
        "broken",
    )


def test_an_unknown_release_is_not_found(database: Database, spam: Records) -> None:
    before = snapshot(database)
    with database.write() as session, pytest.raises(NotFoundError) as caught:
        releases.yank(context(session, "alice"), "spam", "3.0")
    assert caught.value.message == "No release 3.0 of project 'Spam'."
    assert snapshot(database) == before


def test_only_owners_yank_or_delete(database: Database, spam: Records) -> None:
    before = snapshot(database)
    attempts = [
        lambda c: releases.yank(c, "spam", "1.0", "no"),
        lambda c: releases.unyank(c, "spam", "1.0"),
        lambda c: releases.delete_file(c, "spam", "spam-2.0.tar.gz"),
        lambda c: releases.delete_release(c, "spam", "2.0"),
        lambda c: releases.delete_project(c, "spam"),
    ]
    for actor in ("mallory", "eve"):
        for attempt in attempts:
            with database.write() as session, pytest.raises(PermissionDeniedError):
                attempt(context(session, actor))
    assert snapshot(database) == before


def test_delete_file_keeps_its_name_reserved(database: Database, spam: Records) -> None:
    with database.write() as session:
        # A registry that somehow lacks the name still ends up holding it.
        session.delete(session.get(FileRegistry, "spam-1.0.tar.gz"))
    with database.write() as session:
        releases.delete_file(context(session, "alice"), "spam", "spam-1.0.tar.gz")
    with database.read() as session:
        assert sorted(session.scalars(select(File.filename))) == [
            "spam-1.0-py3-none-any.whl",
            "spam-2.0.tar.gz",
        ]
    assert "spam-1.0.tar.gz" in _registry(database)
    assert _total_size(database) == 200
    assert journal_actions(database) == [("Spam", "1.0", "remove file spam-1.0.tar.gz", "alice")]
    with database.write() as session, pytest.raises(NotFoundError) as caught:
        releases.delete_file(context(session, "alice"), "spam", "spam-1.0.tar.gz")
    assert caught.value.message == "No file named 'spam-1.0.tar.gz' in project 'Spam'."


def test_a_file_of_another_project_is_not_found(database: Database, spam: Records) -> None:
    spam.project("Eggs", owners=("alice",))
    before = snapshot(database)
    with database.write() as session, pytest.raises(NotFoundError):
        releases.delete_file(context(session, "alice"), "eggs", "spam-2.0.tar.gz")
    assert snapshot(database) == before


def test_delete_release_removes_its_files_even_when_yanked(
    database: Database, spam: Records
) -> None:
    with database.write() as session:
        releases.yank(context(session, "alice"), "spam", "1.0")
    with database.write() as session:
        releases.delete_release(context(session, "alice"), "spam", "1.0")
    with database.read() as session:
        assert list(session.scalars(select(Release.version))) == ["2.0"]
        assert list(session.scalars(select(File.filename))) == ["spam-2.0.tar.gz"]
    assert {"spam-1.0.tar.gz", "spam-1.0-py3-none-any.whl"} <= _registry(database)
    assert _total_size(database) == 100
    assert journal_actions(database)[-1] == ("Spam", "1.0", "remove release", "alice")
    assert sorted(event_rows(database)[-1].additional["filenames"]) == [
        "spam-1.0-py3-none-any.whl",
        "spam-1.0.tar.gz",
    ]


def test_delete_project_frees_the_name_but_not_the_filenames(
    database: Database, spam: Records
) -> None:
    with database.write() as session:
        eve = session.scalars(select(User).where(User.username == "eve")).one()
        project = session.scalars(select(Project)).one()
        session.add(
            RoleInvitation(
                user_id=eve.id, project_id=project.id, role_name="Owner", expires_at=utcnow()
            )
        )
    with database.write() as session:
        releases.delete_project(context(session, "alice"), "spam")
    with database.read() as session:
        for model in (Project, Release, File, Role, RoleInvitation):
            assert session.scalars(select(model)).all() == []
    assert _registry(database) == {
        "spam-1.0.tar.gz",
        "spam-1.0-py3-none-any.whl",
        "spam-2.0.tar.gz",
    }
    assert journal_actions(database) == [("Spam", None, "remove project", "alice")]
    # History outlives the project.
    assert event_rows(database)[-1].project_normalized_name == "spam"
    spam.project("spam", owners=("eve",))


def test_deletion_switch_blocks_users_not_the_administrator(
    database: Database, spam: Records
) -> None:
    with database.write() as session:
        flags.set_flag(session, flags.DISALLOW_DELETION, True)
    before = snapshot(database)
    for attempt in (
        lambda c: releases.delete_file(c, "spam", "spam-2.0.tar.gz"),
        lambda c: releases.delete_release(c, "spam", "2.0"),
        lambda c: releases.delete_project(c, "spam"),
    ):
        with database.write() as session, pytest.raises(DisabledError) as caught:
            attempt(context(session, "alice"))
        assert caught.value.code == "deletion_disabled"
        assert caught.value.message.startswith("Project deletion temporarily disabled.")
    assert snapshot(database) == before
    # Yanking is no deletion.
    with database.write() as session:
        releases.yank(context(session, "alice"), "spam", "2.0")
    with database.write() as session:
        releases.delete_release(context(session, None), "spam", "2.0")
    assert journal_actions(database)[-1] == ("Spam", "2.0", "remove release", None)


def test_read_only_blocks_yank_and_deletion(database: Database, spam: Records) -> None:
    with database.write() as session:
        flags.set_flag(session, flags.READ_ONLY, True)
    before = snapshot(database)
    for attempt in (
        lambda c: releases.yank(c, "spam", "2.0"),
        lambda c: releases.unyank(c, "spam", "2.0"),
        lambda c: releases.delete_project(c, "spam"),
    ):
        with database.write() as session, pytest.raises(DisabledError) as caught:
            attempt(context(session, "alice"))
        assert caught.value.code == "read_only"
    assert snapshot(database) == before
