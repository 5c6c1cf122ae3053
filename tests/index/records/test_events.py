"""History: events newest first, paged, per project (any spelling) and per account."""

from __future__ import annotations

from pypidesk.index.db.engine import Database
from pypidesk.index.records.events import (
    MAX_PAGE_SIZE,
    account_history,
    project_history,
    record_event,
)


def test_project_history_is_newest_first_and_paged(database: Database) -> None:
    with database.write() as session:
        for number in range(5):
            record_event(session, f"tag:{number}", project_name="My_Project", username="alice")
        record_event(session, "other", project_name="other-project", username="alice")
    with database.read() as session:
        first = project_history(session, "my.project", limit=2)
        assert [event.tag for event in first.events] == ["tag:4", "tag:3"]
        assert first.events[0].project_normalized_name == "my-project"
        second = project_history(session, "MY-PROJECT", before=first.next_before, limit=2)
        assert [event.tag for event in second.events] == ["tag:2", "tag:1"]
        last = project_history(session, "my-project", before=second.next_before, limit=2)
        assert [event.tag for event in last.events] == ["tag:0"]
        assert last.next_before is None


def test_page_size_is_clamped(database: Database) -> None:
    with database.write() as session:
        for number in range(3):
            record_event(session, f"tag:{number}", username="alice")
    with database.read() as session:
        assert len(account_history(session, "alice", limit=0).events) == 1
        assert len(account_history(session, "alice", limit=MAX_PAGE_SIZE + 1).events) == 3


def test_account_history_has_what_the_user_did_and_what_was_done_to_them(
    database: Database,
) -> None:
    with database.write() as session:
        record_event(
            session,
            "project:role:invite",
            project_name="p",
            username="alice",
            ip_address="127.0.0.1",
            token_name="laptop",
            additional={"target_user": "bob"},
        )
        record_event(session, "account:login:success", username="bob")
        record_event(session, "account:login:success", username="carol")
    with database.read() as session:
        bob = account_history(session, "bob").events
        assert [event.tag for event in bob] == ["account:login:success", "project:role:invite"]
        alice = account_history(session, "alice").events
        assert [event.tag for event in alice] == ["project:role:invite"]
        assert alice[0].ip_address == "127.0.0.1"
        assert alice[0].token_name == "laptop"
        assert alice[0].time is not None
