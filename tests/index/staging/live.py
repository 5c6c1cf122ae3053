"""A live server with two users (alice and bob) and their tokens, for the staging tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.e2e.upload_helpers import Accounts
from tests.index.staging.pep694_client import Client

ROOT_PATH = "/upload/2.0-draft/"


@dataclass
class Index:
    """The live server, its accounts, and a client for each user."""

    server: LiveServer
    accounts: Accounts
    alice: Client
    bob: Client

    @property
    def root(self) -> str:
        return self.server.url + ROOT_PATH


@pytest.fixture
def index(data_dir: Path) -> Iterator[Index]:
    accounts = Accounts(data_dir)
    accounts.user("alice")
    accounts.user("bob")
    server = LiveServer(data_dir)
    try:
        server.wait_healthy()
        yield Index(
            server,
            accounts,
            Client(accounts.token("alice", "ci")),
            Client(accounts.token("bob", "ci")),
        )
    finally:
        server.stop()
        accounts.close()
