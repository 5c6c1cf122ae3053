"""What a committed write changed reaches the database's commit hook; a rollback forgets it."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pypidesk.index.db.engine import Database
from pypidesk.index.manage import releases, roles
from pypidesk.index.manage.context import ADMIN, Context
from pypidesk.index.records.changes import ChangedProject, note, take
from pypidesk.index.settings import ServerSettings
from tests.index import factories


def watch(database: Database) -> list[list[ChangedProject]]:
    """What the commit hook is handed from now on."""
    calls: list[list[ChangedProject]] = []

    def hook(changes: Sequence[ChangedProject]) -> None:
        calls.append(list(changes))

    database.on_commit = hook
    return calls


def test_each_commit_hands_over_its_changes(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        factories.publish(session, server_settings, "Demo.Pkg", "1.0")
        factories.make_user(session, "bob")
    committed = watch(database)
    with database.write() as session:
        releases.yank(Context(session, ADMIN), "demo-pkg", "1.0")
    with database.write() as session:
        roles.add_role(Context(session, ADMIN), "demo-pkg", "bob", "Maintainer")
    with database.write() as session:
        releases.delete_project(Context(session, ADMIN), "demo-pkg")
    assert committed == [
        [ChangedProject("Demo.Pkg", "demo-pkg", "1.0")],
        [ChangedProject("Demo.Pkg", "demo-pkg")],
        [ChangedProject("Demo.Pkg", "demo-pkg", listing=True)],
    ]


def _yank_then_fail(database: Database) -> None:
    with database.write() as session:
        releases.yank(Context(session, ADMIN), "demo", "1.0")
        raise RuntimeError


def test_a_rollback_forgets_its_changes(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        factories.publish(session, server_settings, "demo", "1.0")
    committed = watch(database)
    with pytest.raises(RuntimeError):
        _yank_then_fail(database)
    with database.write() as session:
        factories.make_user(session, "carol")  # a commit that changes no page
    assert committed == []


def test_a_change_is_noted_once_per_transaction(database: Database) -> None:
    change = ChangedProject("demo", "demo", "1.0")
    with database.read() as session:
        note(session, change)
        note(session, change)
        assert take(session) == [change]
        assert take(session) == []
    database.committed([change])  # no hook: nothing to do
