"""API tokens over HTTP: create, list without secrets, revoke; the project's view."""

from __future__ import annotations

import base64

from tests.index.api.conftest import Index, basic, bearer, utc
from tests.index.factories import PASSWORD


def test_create_list_and_revoke(index: Index) -> None:
    index.user("alice")
    index.records.project("spam", owners=("alice",))
    index.records.project("eggs", maintainers=("alice",))
    alice = basic("alice")
    created = index.http.post(
        "/account/tokens",
        headers=alice,
        json={
            "name": "ci",
            "projects": ["Spam", "eggs", "spam"],
            "permissions": ["upload", "manage", "upload"],
            "expires_in_days": 7,
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["projects"] == ["eggs", "spam"]
    assert body["permissions"] == ["manage", "upload"]
    assert (utc(body["expires_at"]) - utc(body["created"])).days in (6, 7)
    secret = body["token"]
    # The token works for both projects, and only there.
    assert index.http.get("/projects/spam/tokens", headers=bearer(secret)).status_code == 200
    assert index.http.get("/projects/eggs/history", headers=bearer(secret)).status_code == 200
    assert index.http.get("/account/tokens", headers=bearer(secret)).status_code == 403
    listed = index.http.get("/account/tokens", headers=alice).json()
    assert [t["name"] for t in listed] == ["ci"]
    assert "token" not in listed[0]
    assert listed[0]["last_used"] is not None
    assert secret not in index.http.get("/account/tokens", headers=alice).text
    duplicate = index.http.post("/account/tokens", headers=alice, json={"name": "ci"})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "token_name_taken"
    revoked = index.http.delete(f"/account/tokens/{body['id']}", headers=alice)
    assert revoked.status_code == 204
    assert index.http.get("/projects/spam/tokens", headers=bearer(secret)).status_code == 401
    assert index.http.get("/account/tokens", headers=alice).json() == []


def test_tokens_only_for_projects_i_collaborate_on(index: Index) -> None:
    for name in ("alice", "eve"):
        index.user(name)
    index.records.project("spam", owners=("alice",))
    refused = index.http.post(
        "/account/tokens", headers=basic("eve"), json={"name": "x", "projects": ["spam"]}
    )
    assert refused.status_code == 403
    missing = index.http.post(
        "/account/tokens", headers=basic("eve"), json={"name": "x", "projects": ["nope"]}
    )
    assert missing.status_code == 404
    assert index.http.get("/account/tokens", headers=basic("eve")).json() == []


def test_owner_sees_and_revokes_a_maintainers_project_token(index: Index) -> None:
    for name in ("alice", "bob"):
        index.user(name)
    index.records.project("spam", owners=("alice",), maintainers=("bob",))
    bobs = index.http.post(
        "/account/tokens", headers=basic("bob"), json={"name": "bob-ci", "projects": ["spam"]}
    ).json()
    index.token("bob", "bob-everything")
    listed = index.http.get("/projects/spam/tokens", headers=basic("alice")).json()
    # bob's whole-account token can upload to spam too (he maintains it): listed.
    assert {(t["name"], t["username"]) for t in listed} == {
        ("bob-ci", "bob"),
        ("bob-everything", "bob"),
    }
    revoked = index.http.delete(f"/projects/spam/tokens/{bobs['id']}", headers=basic("alice"))
    assert revoked.status_code == 204
    bob_tokens = index.http.get("/account/tokens", headers=basic("bob")).json()
    assert [t["name"] for t in bob_tokens] == ["bob-everything"]
    history = index.http.get("/account/history", headers=basic("bob")).json()["events"]
    assert history[0]["tag"] == "project:api_token:removed"
    assert history[0]["username"] == "alice"


def test_no_secret_or_password_is_stored_or_logged(live_index: Index) -> None:
    index = live_index
    index.user("alice")
    password = "a very distinctive password 93217"
    secrets = []
    with index.database.write() as session:
        from pypidesk.index.auth.passwords import hash_password
        from pypidesk.index.db.models import User

        session.query(User).one().password_hash = hash_password(password)
    signed_in = index.http.post(
        "/sign-in", json={"username": "alice", "password": password, "token_name": "laptop"}
    )
    secrets.append(signed_in.json()["token"])
    auth = bearer(secrets[0])
    for name in ("one", "two"):
        secrets.append(
            index.http.post("/account/tokens", headers=auth, json={"name": name}).json()["token"]
        )
    index.http.post(
        "/sign-in", json={"username": "alice", "password": password + "x", "token_name": "y"}
    )
    bad = index.http.post(
        "/sign-in", json={"username": "alice", "password": password, "token_name": "x" * 500}
    )
    assert bad.status_code == 422
    assert password not in bad.text
    changed = index.http.post(
        "/account/password",
        headers=auth,
        json={"current_password": password, "new_password": password + "!"},
    )
    assert changed.status_code == 200
    assert password not in changed.text
    index.server.stop()
    stored = b"".join(
        path.read_bytes() for path in index.server.data_dir.iterdir() if path.is_file()
    )
    log = index.server.log_path.read_bytes()
    for blob in (stored, log):
        assert password.encode() not in blob
    for secret in secrets:
        raw = base64.urlsafe_b64decode(secret.removeprefix("pypi-") + "==")
        # Neither the token nor its macaroon signature (its last 32 bytes) is kept.
        assert secret.encode() not in stored
        assert raw[-32:] not in stored
        assert secret.encode() not in log
    assert PASSWORD.encode() not in log
