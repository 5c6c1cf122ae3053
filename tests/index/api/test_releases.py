"""Yank and delete over HTTP, and the admin switches that stop them."""

from __future__ import annotations

from sqlalchemy import select

from pypidesk.index.db.models import FileRegistry, Release
from pypidesk.index.records import flags
from tests.index.api.conftest import Index, bearer
from tests.index.factories import PASSWORD
from tests.index.manage.factories import snapshot


def _spam(index: Index) -> dict[str, str]:
    index.user("alice")
    index.records.project("spam", owners=("alice",))
    index.records.release("spam", "1.0", filenames=("spam-1.0.tar.gz",))
    index.records.release(
        "spam", "2.0", filenames=("spam-2.0.tar.gz", "spam-2.0-py3-none-any.whl")
    )
    return index.auth("alice")


def test_yank_with_reason_then_unyank(index: Index) -> None:
    alice = _spam(index)
    yanked = index.http.post(
        "/projects/spam/releases/1.0/yank", headers=alice, json={"reason": "broken wheel"}
    )
    assert yanked.status_code == 200
    body = yanked.json()
    assert (body["version"], body["yanked"], body["yanked_reason"]) == (
        "1.0",
        True,
        "broken wheel",
    )
    assert body["yanked_at"] is not None
    with index.database.read() as session:
        release = session.scalars(select(Release).where(Release.version == "1.0")).one()
        assert (release.yanked, release.yanked_reason) == (True, "broken wheel")
    again = index.http.post("/projects/spam/releases/1.0/yank", headers=alice, json={})
    assert again.status_code == 409
    unyanked = index.http.post("/projects/spam/releases/1.0/unyank", headers=alice)
    assert unyanked.json()["yanked"] is False
    missing = index.http.post("/projects/spam/releases/9/yank", headers=alice, json={})
    assert missing.status_code == 404
    assert missing.json()["message"] == "No release 9 of project 'spam'."


def test_yank_without_a_body_is_a_yank_without_a_reason(index: Index) -> None:
    # PyPI's yank form may be sent empty; the reason is optional, so is the body.
    alice = _spam(index)
    yanked = index.http.post("/projects/spam/releases/2.0/yank", headers=alice)
    assert yanked.status_code == 200
    assert (yanked.json()["yanked"], yanked.json()["yanked_reason"]) == (True, "")
    with index.database.read() as session:
        release = session.scalars(select(Release).where(Release.version == "2.0")).one()
        assert (release.yanked, release.yanked_reason) == (True, "")
    # A body that is there must still be a valid one.
    refused = index.http.post(
        "/projects/spam/releases/1.0/yank", headers=alice, json={"reason": 5, "extra": 1}
    )
    assert refused.status_code == 422


def test_delete_file_release_and_project(index: Index) -> None:
    alice = _spam(index)
    assert (
        index.http.delete(
            "/projects/spam/files/spam-2.0-py3-none-any.whl", headers=alice
        ).status_code
        == 204
    )
    assert index.http.delete("/projects/spam/releases/2.0", headers=alice).status_code == 204
    assert index.http.delete("/projects/spam", headers=alice).status_code == 204
    assert index.http.get("/projects/spam/history", headers=alice).status_code == 404
    with index.database.read() as session:
        assert set(session.scalars(select(FileRegistry.filename))) == {
            "spam-1.0.tar.gz",
            "spam-2.0.tar.gz",
            "spam-2.0-py3-none-any.whl",
        }
    # The name is free again: someone else may register it.
    index.user("bob")
    index.records.project("spam", owners=("bob",))


def test_a_token_of_a_deleted_project_never_works_again(index: Index) -> None:
    alice = _spam(index)
    scoped = index.token("alice", "spam-only", projects=("spam",))
    assert index.http.get("/projects/spam/tokens", headers=bearer(scoped)).status_code == 200
    assert index.http.delete("/projects/spam", headers=alice).status_code == 204
    index.records.project("spam", owners=("alice",))
    refused = index.http.get("/projects/spam/tokens", headers=bearer(scoped))
    assert refused.status_code == 403
    assert refused.json()["code"] == "token_scope"


def test_deletion_switch(index: Index) -> None:
    alice = _spam(index)
    with index.database.write() as session:
        flags.set_flag(session, flags.DISALLOW_DELETION, True)
    before = snapshot(index.database)
    for path in (
        "/projects/spam/files/spam-1.0.tar.gz",
        "/projects/spam/releases/1.0",
        "/projects/spam",
    ):
        response = index.http.delete(path, headers=alice)
        assert response.status_code == 403
        assert response.json()["code"] == "deletion_disabled"
    assert snapshot(index.database) == before
    assert index.http.post("/projects/spam/releases/1.0/yank", headers=alice, json={}).is_success


def test_read_only_refuses_every_write_but_not_reads(index: Index) -> None:
    alice = _spam(index)
    token = index.token("alice", "laptop")
    with index.database.write() as session:
        flags.set_flag(session, flags.READ_ONLY, True)
    before = snapshot(index.database)
    writes = [
        ("POST", "/sign-in", {"username": "alice", "password": PASSWORD, "token_name": "x"}),
        ("POST", "/register", {"username": "x", "email": "x@example.org", "password": PASSWORD}),
        ("POST", "/account/tokens", {"name": "x"}),
        ("POST", "/account/password", {"current_password": PASSWORD, "new_password": "x" * 9}),
        ("POST", "/projects/spam/invitations", {"username": "alice", "role": "Owner"}),
        ("POST", "/projects/spam/releases/1.0/yank", {}),
        ("DELETE", "/projects/spam", None),
    ]
    for method, path, body in writes:
        response = index.http.request(method, path, headers=bearer(token), json=body)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["code"] == "read_only"
        assert response.json()["message"].startswith("Read-only mode:")
    assert snapshot(index.database) == before
    assert index.http.get("/projects/spam/collaborators", headers=alice).status_code == 200
