"""``--require-auth-for-reads``: 401 + Basic challenge, passwords and tokens, scopes."""

from __future__ import annotations

import base64
import time
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, select
from starlette.testclient import TestClient

from pypidesk.index.app import create_app
from pypidesk.index.auth import caveats
from pypidesk.index.auth.ratelimit import TOO_MANY_FAILURES, FailureLimiter
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import ApiToken
from pypidesk.index.read import access
from pypidesk.index.read.access import ReadGuard
from pypidesk.index.records import accounts
from pypidesk.index.settings import ServerSettings
from tests.index import factories
from tests.index.factories import PASSWORD, make_user


def basic(username: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


@pytest.fixture
def private_settings(data_dir: Path) -> ServerSettings:
    return ServerSettings(data_dir=data_dir, require_auth_for_reads=True)


@pytest.fixture
def tokens(private_settings: ServerSettings) -> Iterator[dict[str, object]]:
    database = factories.open_database(private_settings)
    with database.write() as session:
        user = make_user(session, "reader")
        make_user(session, "idle", is_active=False)
        release = factories.publish(session, private_settings, "secret", "1.0")
        other = factories.publish(session, private_settings, "other", "1.0")
        wide = accounts.create_token(session, private_settings, user, "wide")
        scoped = accounts.create_token(
            session, private_settings, user, "scoped", projects=[release.project]
        )
        manage = accounts.create_token(
            session, private_settings, user, "manage", permissions=["manage"]
        )
        expired = accounts.create_token(session, private_settings, user, "expired")
        # The server may tighten a stored token: this one expired an hour ago.
        row = session.scalar(select(ApiToken).where(ApiToken.name == "expired"))
        past = int(time.time()) - 3600
        row.caveats = [*row.caveats, caveats.expiration(past, past - 60)]
        paths = {
            "secret": "/packages/" + release.files[0].path,
            "other": "/packages/" + other.files[0].path,
        }
    yield {"wide": wide, "scoped": scoped, "manage": manage, "expired": expired, **paths}
    database.dispose()


@pytest.fixture
def private_client(
    private_settings: ServerSettings, tokens: dict[str, object]
) -> Iterator[TestClient]:
    app = create_app(private_settings)
    with TestClient(app, base_url="http://index.test") as client:
        yield client


READS = ["/simple/", "/simple/secret/", "/pypi/secret/json", "/project/secret/"]


@pytest.mark.parametrize("path", READS)
def test_anonymous_read_gets_a_basic_challenge(private_client: TestClient, path: str) -> None:
    response = private_client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="pypidesk"'
    assert "This index is private" in response.text


def test_anonymous_file_and_xmlrpc_refused(
    private_client: TestClient, tokens: dict[str, object]
) -> None:
    assert private_client.get(str(tokens["secret"])).status_code == 401
    body = xmlrpc.client.dumps((), "changelog_last_serial")
    assert private_client.post("/pypi", content=body).status_code == 401


def test_health_stays_open(private_client: TestClient) -> None:
    assert private_client.get("/_health").status_code == 200


@pytest.mark.parametrize("path", READS)
def test_password_reads_everything_privately(private_client: TestClient, path: str) -> None:
    response = private_client.get(path, headers=basic("reader", PASSWORD))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-cache"
    assert "surrogate-key" not in response.headers
    assert "surrogate-control" not in response.headers


@pytest.mark.parametrize(
    ("username", "password"), [("reader", "wrong"), ("nobody", PASSWORD), ("idle", PASSWORD)]
)
def test_bad_passwords_refused(private_client: TestClient, username: str, password: str) -> None:
    response = private_client.get("/simple/", headers=basic(username, password))
    assert response.status_code == 401
    assert "Invalid or non-existent authentication information" in response.text


def test_wrong_passwords_are_limited_and_malformed_headers_are_not_counted(
    private_client: TestClient,
) -> None:
    """Issue 12, finding 5: ten wrong passwords per account and address, then 429."""
    for _ in range(12):
        malformed = private_client.get("/simple/", headers={"Authorization": "Basic !!"})
        assert malformed.status_code == 401
    for number in range(10):
        assert (
            private_client.get("/simple/", headers=basic("reader", f"no{number}")).status_code
            == 401
        )
    limited = private_client.get("/simple/", headers=basic("reader", PASSWORD))
    assert limited.status_code == 429
    assert TOO_MANY_FAILURES in limited.text
    assert 1 <= int(limited.headers["retry-after"]) <= 300


def test_account_wide_token_reads_everything(
    private_client: TestClient, tokens: dict[str, object]
) -> None:
    for token in (tokens["wide"], tokens["manage"]):
        headers = basic("__token__", str(token))
        for path in [*READS, tokens["secret"], tokens["other"], "/simple/other/"]:
            assert private_client.get(str(path), headers=headers).status_code == 200, path
        body = xmlrpc.client.dumps((), "changelog_last_serial")
        response = private_client.post("/RPC2", content=body, headers=headers)
        assert xmlrpc.client.loads(response.content)[0][0] > 0


def test_project_token_reads_only_its_project(
    private_client: TestClient, tokens: dict[str, object]
) -> None:
    headers = basic("__token__", str(tokens["scoped"]))
    for path in ["/simple/secret/", "/pypi/secret/1.0/json", tokens["secret"]]:
        assert private_client.get(str(path), headers=headers).status_code == 200, path
    assert (
        private_client.get(str(tokens["secret"]) + ".metadata", headers=headers).status_code == 200
    )
    for path in ["/simple/", "/simple/other/", tokens["other"]]:
        response = private_client.get(str(path), headers=headers)
        assert response.status_code == 401, path
        assert "Invalid API Token: project-scoped token" in response.text


def test_expired_and_tampered_tokens_refused(
    private_client: TestClient, tokens: dict[str, object]
) -> None:
    expired = private_client.get("/simple/", headers=basic("__token__", str(tokens["expired"])))
    assert expired.status_code == 401
    assert "Invalid API Token: token is expired" in expired.text
    tampered = str(tokens["wide"])[:-4] + "AAAA"
    response = private_client.get("/simple/", headers=basic("__token__", tampered))
    assert response.status_code == 401


def test_successful_check_is_remembered_briefly(
    private_settings: ServerSettings, tokens: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database.from_url(private_settings.resolved_database_url)
    now = [100.0]
    guard = ReadGuard(database, private_settings, FailureLimiter(), clock=lambda: now[0])
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    authorization = basic("reader", PASSWORD)["Authorization"]
    assert guard.check(authorization, "/simple/secret/", "192.0.2.1") is None
    checks = len(statements)
    statements.clear()
    assert guard.check(authorization, "/simple/secret/", "192.0.2.1") is None
    # Only the path's project lookup remains; no authentication queries.
    assert not any("users" in s for s in statements)
    now[0] += access.REMEMBER_SECONDS + 1
    statements.clear()
    assert guard.check(authorization, "/simple/secret/", "192.0.2.1") is None
    assert len(statements) == checks
    monkeypatch.setattr(access, "_MAX_REMEMBERED", 1)
    assert guard.check(authorization, "/simple/other/", "192.0.2.1") is None
    assert guard.check(authorization, "/simple/", "192.0.2.1") is None
    assert len(guard._remembered) == 1
    database.dispose()


def test_unknown_file_path_has_no_project(
    private_client: TestClient, tokens: dict[str, object]
) -> None:
    headers = basic("__token__", str(tokens["scoped"]))
    response = private_client.get("/packages/ab/cd/" + "0" * 60 + "/x.whl", headers=headers)
    assert response.status_code == 401
    wide = basic("__token__", str(tokens["wide"]))
    assert (
        private_client.get("/packages/ab/cd/" + "0" * 60 + "/x.whl", headers=wide).status_code
        == 404
    )
