from collections.abc import Iterator

import pytest
from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY

from pypidesk.index.auth.passwords import hash_password, verify_password
from tests import cheap_argon2


@pytest.fixture
def production_argon2() -> Iterator[None]:
    """The hasher the server uses, at its real cost (the suite otherwise runs a cheap one)."""
    with cheap_argon2.production():
        yield


def test_the_server_hashes_at_the_production_cost(production_argon2: None) -> None:
    """RFC 9106's low-memory profile (argon2id, 64 MiB, 3 passes, 4 lanes)."""
    stored = hash_password("s3cret-pass")
    assert extract_parameters(stored) == RFC_9106_LOW_MEMORY
    assert verify_password(stored, "s3cret-pass") is True
    assert verify_password(stored, "s3cret-pasS") is False


def test_hashes_of_another_cost_still_verify(production_argon2: None) -> None:
    """Parameters travel in each hash: a cost change keeps old hashes usable."""
    stored = cheap_argon2.CHEAP.hash("s3cret-pass")
    assert extract_parameters(stored).memory_cost == cheap_argon2.CHEAP.memory_cost
    assert verify_password(stored, "s3cret-pass") is True


def test_hash_is_argon2id_and_salted() -> None:
    first = hash_password("s3cret-pass")
    second = hash_password("s3cret-pass")
    assert first.startswith("$argon2id$")
    assert first != second
    assert "s3cret-pass" not in first


def test_verify_accepts_the_password_and_refuses_others() -> None:
    stored = hash_password("s3cret-pass")
    assert verify_password(stored, "s3cret-pass") is True
    assert verify_password(stored, "s3cret-pasS") is False


def test_a_malformed_hash_never_matches() -> None:
    assert verify_password("not-a-hash", "anything") is False
    assert verify_password("$argon2id$v=19$m=65536,t=3,p=4$broken", "anything") is False
