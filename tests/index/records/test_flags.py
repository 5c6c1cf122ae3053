"""Admin switches: stored per id, off without a row, PyPI's texts."""

from __future__ import annotations

import pytest

from pypidesk.index.db.engine import Database
from pypidesk.index.records import flags


def test_flags_are_off_until_set_and_follow_set_flag(database: Database) -> None:
    with database.read() as session:
        assert flags.all_flags(session) == dict.fromkeys(flags.FLAGS, False)
        assert not flags.is_enabled(session, flags.READ_ONLY)
    with database.write() as session:
        flags.set_flag(session, flags.READ_ONLY, True)
    with database.write() as session:
        assert flags.is_enabled(session, flags.READ_ONLY)
        flags.set_flag(session, flags.READ_ONLY, False)
        flags.set_flag(session, flags.DISALLOW_DELETION, True)
    with database.read() as session:
        assert flags.all_flags(session) == {
            **dict.fromkeys(flags.FLAGS, False),
            flags.DISALLOW_DELETION: True,
        }


def test_flag_ids_are_pypis() -> None:
    assert set(flags.FLAGS) == {
        "read-only",
        "disallow-new-upload",
        "disallow-new-project-registration",
        "disallow-new-user-registration",
        "disallow-deletion",
    }


def test_unknown_flag_is_refused_with_the_valid_ids(database: Database) -> None:
    with database.write() as session, pytest.raises(flags.UnknownFlagError) as caught:
        flags.set_flag(session, "read_only", True)
    assert caught.value.message.startswith("Unknown flag 'read_only'; choose one of: read-only,")
    with database.read() as session, pytest.raises(flags.UnknownFlagError):
        flags.is_enabled(session, "nope")
    with pytest.raises(flags.UnknownFlagError):
        flags.message("nope", "https://example.org/help/")


def test_messages_are_pypis_texts_with_our_help_page() -> None:
    help_url = "https://index.example/help/"
    assert flags.message(flags.READ_ONLY, help_url) == (
        "Read-only mode: Uploads are temporarily disabled."
    )
    assert flags.message(flags.DISALLOW_NEW_UPLOAD, help_url) == (
        "New uploads are temporarily disabled. "
        "See https://index.example/help/#admin-intervention for more information."
    )
    assert flags.message(flags.DISALLOW_NEW_PROJECT_REGISTRATION, help_url) == (
        "New project registration temporarily disabled. "
        "See https://index.example/help/#admin-intervention for more information."
    )
    assert flags.message(flags.DISALLOW_NEW_USER_REGISTRATION, help_url) == (
        "New user registration temporarily disabled. "
        "See https://index.example/help/#admin-intervention for details."
    )
    assert flags.message(flags.DISALLOW_DELETION, help_url) == (
        "Project deletion temporarily disabled. "
        "See https://index.example/help/#admin-intervention for details."
    )
    assert flags.read_only_management_message(help_url) == (
        "Read-only mode: changes are temporarily disabled. "
        "See https://index.example/help/#admin-intervention for details."
    )
