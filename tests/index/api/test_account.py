"""Sign-in, the account endpoints, registration and the failed-sign-in limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from pypidesk.index.db.models import ApiToken, Event
from pypidesk.index.records import flags
from tests.index.api.conftest import Index, basic, bearer, start_index, utc
from tests.index.factories import PASSWORD


def _sign_in(index: Index, username: str = "alice", password: str = PASSWORD, **extra):  # type: ignore[no-untyped-def]
    return index.http.post(
        "/sign-in",
        json={"username": username, "password": password, "token_name": "laptop", **extra},
    )


def test_sign_in_returns_a_manage_and_upload_token_named_after_the_machine(
    index: Index,
) -> None:
    index.user("alice")
    response = _sign_in(index, expires_in_days=30)
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "laptop"
    assert body["permissions"] == ["manage", "upload"]
    assert body["projects"] == []
    assert body["replaced"] is False
    assert (utc(body["expires_at"]) - utc(body["created"])).days in (29, 30)
    assert body["token"].startswith("pypi-")
    whoami = index.http.get("/account", headers=bearer(body["token"])).json()
    assert whoami["username"] == "alice"
    assert whoami["authenticated_with"] == "token"
    assert whoami["token"]["name"] == "laptop"
    assert "token" not in whoami["token"]
    # Signing in again from the same machine replaces its token.
    again = _sign_in(index).json()
    assert again["replaced"] is True
    assert index.http.get("/account", headers=bearer(body["token"])).status_code == 401
    assert index.http.get("/account", headers=bearer(again["token"])).status_code == 200
    with index.database.read() as session:
        assert list(session.scalars(select(ApiToken.name))) == ["laptop"]
        tags = list(session.scalars(select(Event.tag).order_by(Event.id)))
    assert tags[:2] == ["account:login:success", "account:api_token:added"]


def test_wrong_or_unknown_credentials_are_refused_alike(index: Index) -> None:
    index.user("alice")
    index.user("ghost", is_active=False)
    for username, password in (("alice", "wrong password"), ("nobody", PASSWORD)):
        response = _sign_in(index, username, password)
        assert response.status_code == 401
        assert response.json() == {
            "message": "Invalid username or password.",
            "code": "unauthenticated",
        }
        # HTTP requires a challenge on every 401 (RFC 9110 §15.5.2).
        assert response.headers["WWW-Authenticate"] == 'Basic realm="pypidesk", Bearer'
    assert _sign_in(index, "ghost").status_code == 401
    assert index.http.get("/account", headers=basic("alice", "wrong")).status_code == 401
    with index.database.read() as session:
        failures = session.scalars(
            select(Event).where(Event.tag == "account:login:failure").order_by(Event.id)
        ).all()
        assert [e.username for e in failures] == ["alice", "nobody", "ghost", "alice"]
        assert failures[0].ip_address == "127.0.0.1"


def test_failed_sign_ins_are_limited_per_user(index: Index) -> None:
    index.user("alice")
    for _ in range(10):
        assert _sign_in(index, "alice", "wrong").status_code == 401
    limited = _sign_in(index, "alice", PASSWORD)
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 300
    # Basic auth on any endpoint counts against the same budget.
    basic_limited = index.http.get("/account", headers=basic("ALICE"))
    assert basic_limited.status_code == 429
    assert "Retry-After" in basic_limited.headers


def test_failed_sign_ins_are_limited_per_address(index: Index) -> None:
    index.user("alice")
    for number in range(10):
        assert _sign_in(index, f"guess{number}", "wrong").status_code == 401
    # A correct password from the same address still waits.
    assert _sign_in(index, "alice").status_code == 429


def test_a_good_sign_in_clears_the_users_count(index: Index) -> None:
    index.user("alice")
    for _ in range(9):
        _sign_in(index, "alice", "wrong")
    assert _sign_in(index, "alice").status_code == 201
    # The address still carries nine failures; the user's own count starts over.
    assert _sign_in(index, "alice", "wrong").status_code == 401
    assert _sign_in(index, "alice").status_code == 429


def test_account_lists_projects_invitations_and_history(index: Index) -> None:
    for name in ("alice", "bob"):
        index.user(name)
    index.records.project("Spam", owners=("alice",))
    index.records.project("eggs", owners=("bob",), maintainers=("alice",))
    invite = index.http.post(
        "/projects/eggs/invitations",
        headers=basic("bob"),
        json={"username": "alice", "role": "Owner"},
    )
    assert invite.status_code == 409  # already a Maintainer
    index.records.project("ham", owners=("bob",))
    index.http.post(
        "/projects/ham/invitations",
        headers=basic("bob"),
        json={"username": "alice", "role": "Owner"},
    )
    alice = basic("alice")
    assert index.http.get("/account/projects", headers=alice).json() == [
        {"project": "eggs", "role": "Maintainer", "latest_version": None, "last_upload": None},
        {"project": "Spam", "role": "Owner", "latest_version": None, "last_upload": None},
    ]
    (invitation,) = index.http.get("/account/invitations", headers=alice).json()
    assert invitation["project"] == "ham"
    assert invitation["role"] == "Owner"
    assert invitation["inviter"] == "bob"
    history = index.http.get("/account/history", headers=alice).json()
    assert [e["tag"] for e in history["events"]] == ["project:role:invite"]
    assert history["events"][0]["username"] == "bob"
    assert history["next_before"] is None


def test_my_projects_carry_latest_version_and_last_upload(index: Index) -> None:
    index.user("alice")
    index.records.project("spam", owners=("alice",))
    index.records.release("spam", "1.0", filenames=("spam-1.0.tar.gz",))
    index.records.release("spam", "2.0", filenames=("spam-2.0.tar.gz",))
    index.records.release("spam", "3.0b1", filenames=("spam-3.0b1.tar.gz",))
    index.records.project("eggs", owners=("alice",))
    index.records.release("eggs", "1.0")
    alice = basic("alice")
    yanked = index.http.post("/projects/spam/releases/2.0/yank", headers=alice, json={})
    assert yanked.status_code == 200
    rows = {
        row["project"]: row for row in index.http.get("/account/projects", headers=alice).json()
    }
    # As the JSON API chooses: not yanked first, then final releases.
    assert rows["spam"]["latest_version"] == "1.0"
    assert utc(rows["spam"]["last_upload"]).tzinfo is not None
    assert rows["eggs"]["latest_version"] == "1.0"
    assert rows["eggs"]["last_upload"] is None


def test_change_password_keeps_tokens_and_says_so(index: Index) -> None:
    index.user("alice")
    token = _sign_in(index).json()["token"]
    body = {"current_password": "wrong", "new_password": "new secret words"}
    refused = index.http.post("/account/password", headers=bearer(token), json=body)
    assert refused.status_code == 403
    assert refused.json()["code"] == "wrong_password"
    body["current_password"] = PASSWORD
    body["new_password"] = "short"
    weak = index.http.post("/account/password", headers=bearer(token), json=body)
    assert weak.status_code == 400
    assert weak.json()["code"] == "weak_password"
    body["new_password"] = "new secret words"
    changed = index.http.post("/account/password", headers=bearer(token), json=body)
    assert changed.status_code == 200
    assert changed.json()["tokens_kept"] == 1
    assert "1 API token(s) keep working" in changed.json()["message"]
    assert index.http.get("/account", headers=basic("alice")).status_code == 401
    assert (
        index.http.get("/account", headers=basic("alice", "new secret words")).status_code == 200
    )
    assert index.http.get("/account", headers=bearer(token)).status_code == 200


def test_registration_is_closed_by_default(index: Index) -> None:
    response = index.http.post(
        "/register", json={"username": "zed", "email": "zed@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "registration_closed"


@pytest.fixture
def open_index(data_dir: Path):  # type: ignore[no-untyped-def]
    yield from start_index(data_dir, ["--open-registration"])


def test_open_registration(open_index: Index) -> None:
    index = open_index
    body = {"username": "zed", "email": "zed@example.org", "password": PASSWORD}
    created = index.http.post("/register", json=body)
    assert created.status_code == 201
    assert created.json()["username"] == "zed"
    assert PASSWORD not in created.text
    assert index.http.get("/account", headers=basic("zed")).status_code == 200
    duplicate = index.http.post("/register", json={**body, "username": "ZED"})
    assert duplicate.status_code == 409
    invalid = index.http.post("/register", json={**body, "username": "-bad-"})
    assert invalid.status_code == 400
    assert invalid.json()["code"] == "invalid_account"
    with index.database.write() as session:
        flags.set_flag(session, flags.DISALLOW_NEW_USER_REGISTRATION, True)
    disabled = index.http.post("/register", json={**body, "username": "yan"})
    assert disabled.status_code == 403
    assert disabled.json()["message"].startswith("New user registration temporarily disabled.")
