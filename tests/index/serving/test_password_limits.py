"""Issue 12, findings 5 and 7, against a live ``serve``: passwords cannot be guessed fast.

A private index answered a hundred wrong passwords with a hundred 401s; 31 of
40 parallel wrong sign-ins were checked before the limit acted; behind a proxy
every client counted as the proxy.
"""

from __future__ import annotations

import base64
import concurrent.futures
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from pypidesk.index.auth.ratelimit import TOO_MANY_FAILURES
from pypidesk.index.db.models import Event
from tests.conftest import LiveServer
from tests.e2e.upload_helpers import PASSWORD, Accounts


def _basic(username: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


WRONG = "wrong"


def _sign_in(url: str, username: str, password: str = WRONG, **headers: str) -> httpx.Response:
    return httpx.post(
        url + "/api/v1/sign-in",
        json={"username": username, "password": password, "token_name": "laptop"},
        headers=headers,
        timeout=60,
    )


def _live(data_dir: Path, args: list[str]) -> Iterator[LiveServer]:
    accounts = Accounts(data_dir)
    accounts.user("reader")
    accounts.close()
    server = LiveServer(data_dir, args)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture
def private(data_dir: Path) -> Iterator[LiveServer]:
    yield from _live(data_dir, ["--require-auth-for-reads"])


@pytest.fixture
def behind_proxy(data_dir: Path) -> Iterator[LiveServer]:
    yield from _live(data_dir, ["--trusted-proxy", "127.0.0.1"])


@pytest.fixture
def plain(data_dir: Path) -> Iterator[LiveServer]:
    yield from _live(data_dir, [])


def test_a_private_index_stops_checking_after_ten_wrong_passwords(private: LiveServer) -> None:
    statuses = []
    with httpx.Client(base_url=private.url) as client:
        for number in range(100):
            answer = client.get("/simple/", headers=_basic("reader", f"guess {number}"))
            statuses.append(answer.status_code)
        assert statuses == [401] * 10 + [429] * 90
        assert TOO_MANY_FAILURES in answer.text
        assert 1 <= int(answer.headers["retry-after"]) <= 300
        # The account is locked for the window, whatever the password now.
        assert client.get("/simple/", headers=_basic("reader", PASSWORD)).status_code == 429


def test_forty_parallel_wrong_sign_ins_get_at_most_ten_checks(plain: LiveServer) -> None:
    # An unknown name is checked against a full-cost hash, as a real one is:
    # the slower the check, the wider the race this guards against.
    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(lambda _: _sign_in(plain.url, "ghost"), range(40)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(401) <= 10
    assert statuses.count(429) >= 30
    assert set(statuses) == {401, 429}
    limited = next(answer for answer in answers if answer.status_code == 429)
    assert limited.json() == {"message": TOO_MANY_FAILURES, "code": "rate_limited"}
    assert "retry-after" in limited.headers
    accounts = Accounts(plain.data_dir)
    with accounts.database.read() as session:
        checked = session.scalars(select(Event).where(Event.tag == "account:login:failure"))
        assert len(checked.all()) <= 10
    accounts.close()
    # Without --trusted-proxy, X-Forwarded-For is the client's own word: ignored.
    spoofed = _sign_in(plain.url, "someone", **{"X-Forwarded-For": "198.51.100.9"})
    assert spoofed.status_code == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(behind_proxy: LiveServer) -> None:
    url = behind_proxy.url
    for number in range(10):
        first = {"X-Forwarded-For": f"203.0.113.1, 192.0.2.{100 + number}, 127.0.0.1"}
        # The trusted proxy's own hop (127.0.0.1) is skipped; 192.0.2.x is the client.
        assert _sign_in(url, f"guess{number}", **first).status_code == 401
    assert _sign_in(url, "guess", **{"X-Forwarded-For": "192.0.2.3"}).status_code == 401
    for number in range(9):
        assert _sign_in(url, f"more{number}", Forwarded="for=192.0.2.7").status_code == 401
    assert _sign_in(url, "last", Forwarded='for="192.0.2.7:4711"').status_code == 401
    assert _sign_in(url, "over", **{"X-Forwarded-For": "192.0.2.7"}).status_code == 429
    # Another client behind the same proxy is still heard.
    assert _sign_in(url, "reader", PASSWORD, Forwarded="for=192.0.2.8").status_code == 201
    accounts = Accounts(behind_proxy.data_dir)
    with accounts.database.read() as session:
        success = session.scalars(select(Event).where(Event.tag == "account:login:success"))
        assert [event.ip_address for event in success] == ["192.0.2.8"]
    accounts.close()
