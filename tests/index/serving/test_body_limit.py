"""The API's bodies are capped: no unauthenticated request makes the server buffer much."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from pypidesk.index.app import create_app
from pypidesk.index.db.engine import Database
from pypidesk.index.serving import body_limit
from pypidesk.index.settings import ServerSettings


@pytest.fixture
def client(server_settings: ServerSettings, database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(server_settings), base_url="http://index.test") as client:
        yield client


def test_a_declared_length_over_the_cap_is_refused_at_once(client: TestClient) -> None:
    big = b"{" + b" " * body_limit.MAX_API_BODY + b"}"
    answer = client.post("/api/v1/sign-in", content=big)
    assert answer.status_code == 413
    assert answer.headers["connection"] == "close"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_chunked_body_is_cut_where_it_passes_the_cap(client: TestClient) -> None:
    def pieces() -> Iterator[bytes]:
        yield b'{"username": "'
        for _ in range(3):
            yield b"a" * (body_limit.MAX_API_BODY // 2)
        yield b'"}'

    answer = client.post(
        "/api/v1/sign-in", content=pieces(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400


def test_small_bodies_pass(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/sign-in", json={"username": "x", "password": "y", "token_name": "z"}
    )
    assert answer.status_code == 401


def test_the_legacy_redirect_still_drains_a_whole_upload(client: TestClient) -> None:
    big = b"x" * (body_limit.MAX_API_BODY + 10)
    answer = client.post("/legacy", content=big, follow_redirects=False)
    assert answer.status_code == 308
    assert answer.headers["location"] == "http://index.test/legacy/"


@pytest.mark.parametrize("length", ["", "12x", "-5", " 7 "])
def test_odd_lengths_are_not_over_the_cap(length: str) -> None:
    scope = {"headers": [(b"content-length", length.encode())]}
    assert not body_limit.declared_too_large(scope)
