"""The test suite's switch for cheap password hashing: exact, opt-in, and said aloud.

The suite sets it for all its children (tests/conftest.py); a child started
without it must hash at the production cost, and ``serve`` must say in its
log when the switch is on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import select

from pypidesk.index.auth import passwords
from pypidesk.index.db.models import User
from pypidesk.index.settings import ServerSettings
from tests import cheap_argon2
from tests.conftest import LiveServer
from tests.index.factories import open_database

CHEAP_PARAMETERS = extract_parameters(cheap_argon2.CHEAP.hash("x"))


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {passwords.TEST_ONLY_CHEAP_HASHING: "1"},
        {passwords.TEST_ONLY_CHEAP_HASHING: "true"},
        {passwords.TEST_ONLY_CHEAP_HASHING: ""},
        {"PYPIDESK_CHEAP": passwords.TEST_ONLY_CHEAP_HASHING_VALUE},
    ],
)
def test_only_the_exact_switch_turns_cheap_hashing_on(environ: dict[str, str]) -> None:
    with cheap_argon2.production():
        assert passwords.use_test_hasher_if_asked(environ) is False
        hasher = passwords.hasher()
    # The hasher's parameters, without paying for a production hash per case.
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
        RFC_9106_LOW_MEMORY.time_cost,
        RFC_9106_LOW_MEMORY.memory_cost,
        RFC_9106_LOW_MEMORY.parallelism,
    )


def test_the_switch_installs_the_smallest_cost() -> None:
    environ = {passwords.TEST_ONLY_CHEAP_HASHING: passwords.TEST_ONLY_CHEAP_HASHING_VALUE}
    with cheap_argon2.production():
        assert passwords.use_test_hasher_if_asked(environ) is True
        stored = passwords.hash_password("s3cret-pass")
    assert extract_parameters(stored) == CHEAP_PARAMETERS
    assert CHEAP_PARAMETERS.memory_cost == 8
    assert CHEAP_PARAMETERS.time_cost == 1


def _create_user_in_child(data_dir: Path, environ: dict[str, str]) -> str:
    """``pypidesk admin create-user`` in a child with ``environ``; the stored hash."""
    result = subprocess.run(
        [sys.executable, "-m", "pypidesk", "admin", "--data-dir", str(data_dir),
         "create-user", "alice", "--email", "alice@example.org"],
        input="correct horse battery\n",
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    # The admin commands stay quiet either way: scripts read their output.
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    database = open_database(ServerSettings(data_dir=data_dir))
    try:
        with database.read() as session:
            return session.scalars(select(User.password_hash)).one()
    finally:
        database.dispose()


def test_a_child_without_the_switch_hashes_at_the_production_cost(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != passwords.TEST_ONLY_CHEAP_HASHING}
    stored = _create_user_in_child(tmp_path / "data", environ)
    assert extract_parameters(stored) == RFC_9106_LOW_MEMORY


def test_the_suites_children_hash_cheaply(tmp_path: Path) -> None:
    assert os.environ[passwords.TEST_ONLY_CHEAP_HASHING] == passwords.TEST_ONLY_CHEAP_HASHING_VALUE
    stored = _create_user_in_child(tmp_path / "data", dict(os.environ))
    assert extract_parameters(stored) == CHEAP_PARAMETERS


def test_serve_says_in_its_log_that_it_hashes_cheaply(data_dir: Path) -> None:
    server = LiveServer(data_dir)
    try:
        server.wait_healthy()
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert (
        f"pypidesk serve: warning: {passwords.TEST_ONLY_CHEAP_HASHING} is set: passwords are "
        "hashed at a test-only cost. Never run a real index like this." in log
    )
