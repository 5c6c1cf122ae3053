"""One live pypidesk index per test session for the publish tests; each test uses its own names.

Starting a server and making users with the real CLI costs seconds on a busy
machine, so the publish tests share it: alice owns ``alpha``, bob owns nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator

import pytest

from tests.client.live_accounts import create_project, create_user, sign_in
from tests.conftest import LiveServer


@dataclasses.dataclass(frozen=True)
class PublishIndex:
    url: str
    alice: str
    bob: str


@pytest.fixture(scope="session")
def publish_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublishIndex]:
    data_dir = tmp_path_factory.mktemp("publish-index") / "data"
    data_dir.mkdir()
    server = LiveServer(data_dir)
    try:
        # Generous: under coverage on a busy machine a start can take a minute.
        server.wait_healthy(timeout=120)
        for name in ("alice", "bob"):
            create_user(data_dir, name)
        alice, bob = sign_in(server.url, "alice"), sign_in(server.url, "bob")
        create_project(server.url, alice, "alpha")
        yield PublishIndex(server.url, alice, bob)
    finally:
        server.stop()


@pytest.fixture
def project_name(request: pytest.FixtureRequest) -> str:
    """A project name no other test of the session uses."""
    return "p-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:10]
