"""Tokens go to the keyring, one entry per profile and user; without one, to memory only."""

from __future__ import annotations

import logging

import keyring
import pytest
from keyring.backends import fail

from pypidesk.client.credentials import CredentialStore, service_name
from tests.memory_keyring import MemoryKeyring

KEY = "http://127.0.0.1:8000/legacy/"


def test_a_token_is_stored_read_and_deleted_in_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    store.set(KEY, "alice", "pypi-secret")
    assert memory_keyring.entries == {(service_name(KEY), "alice"): "pypi-secret"}
    assert store.get(KEY, "alice") == "pypi-secret"
    assert store.get(KEY, "bob") is None
    store.delete(KEY, "alice")
    assert memory_keyring.entries == {}
    store.delete(KEY, "alice")  # signing out twice is harmless
    assert not store.session_only


def test_an_explicit_backend_wins_over_the_global_one(memory_keyring: MemoryKeyring) -> None:
    mine = MemoryKeyring()
    CredentialStore(mine).set(KEY, "alice", "pypi-secret")
    assert mine.entries
    assert not memory_keyring.entries


def test_without_a_keyring_tokens_live_in_memory_for_this_session(
    caplog: pytest.LogCaptureFixture,
) -> None:
    keyring.set_keyring(fail.Keyring())  # the conftest fixture restores the previous one
    store = CredentialStore()
    with caplog.at_level(logging.WARNING):
        store.set(KEY, "alice", "pypi-secret")
        assert store.get(KEY, "alice") == "pypi-secret"
    assert store.session_only
    assert "session only" in caplog.text
    assert "pypi-secret" not in caplog.text
    store.delete(KEY, "alice")
    assert store.get(KEY, "alice") is None


@pytest.mark.parametrize("operation", ["get", "set", "delete"])
def test_a_keyring_that_fails_falls_back_to_memory(
    memory_keyring: MemoryKeyring, operation: str
) -> None:
    store = CredentialStore()
    memory_keyring.broken = True
    if operation == "get":
        assert store.get(KEY, "alice") is None
    elif operation == "set":
        store.set(KEY, "alice", "pypi-secret")
        assert store.get(KEY, "alice") == "pypi-secret"
    else:
        store.delete(KEY, "alice")
    assert store.session_only
    # Once fallen back, the keyring is not asked again during this run.
    memory_keyring.broken = False
    store.set(KEY, "bob", "pypi-other")
    assert memory_keyring.entries == {}
