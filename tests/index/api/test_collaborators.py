"""Collaborators over HTTP: the invitation flow with two users, PyPI's rules and texts."""

from __future__ import annotations

from tests.index.api.conftest import Index
from tests.index.manage.factories import journal_actions


def test_invitation_flow_end_to_end(index: Index) -> None:
    for name in ("alice", "bob"):
        index.user(name)
    index.records.project("Spam", owners=("alice",))
    alice, bob = index.auth("alice"), index.auth("bob")

    sent = index.http.post(
        "/projects/spam/invitations",
        headers=alice,
        json={"username": "bob", "role": "Maintainer", "expires_in_hours": 48},
    )
    assert sent.status_code == 201
    assert sent.json()["username"] == "bob"
    pending = index.http.get("/account/invitations", headers=bob).json()
    assert [(i["project"], i["role"], i["inviter"]) for i in pending] == [
        ("Spam", "Maintainer", "alice")
    ]
    listing = index.http.get("/projects/spam/collaborators", headers=alice).json()
    assert [i["username"] for i in listing["invitations"]] == ["bob"]
    # Before accepting, bob has no say in the project.
    assert index.http.get("/projects/spam/collaborators", headers=bob).status_code == 403

    accepted = index.http.post("/account/invitations/Spam/accept", headers=bob)
    assert accepted.status_code == 200
    assert accepted.json() == {"project": "Spam", "role": "Maintainer"}
    assert index.http.get("/account/invitations", headers=bob).json() == []
    listing = index.http.get("/projects/spam/collaborators", headers=bob).json()
    assert listing == {
        "roles": [
            {"username": "alice", "role": "Owner"},
            {"username": "bob", "role": "Maintainer"},
        ],
        "invitations": [],
    }
    # A Maintainer cannot yank; once an Owner, bob can.
    yank = index.http.post("/projects/spam/releases/1.0/yank", headers=bob, json={})
    assert yank.status_code == 403
    promoted = index.http.patch(
        "/projects/spam/collaborators/bob", headers=alice, json={"role": "Owner"}
    )
    assert promoted.json() == {"username": "bob", "role": "Owner"}

    history = index.http.get("/projects/spam/history", headers=bob).json()["events"]
    assert [e["tag"] for e in history] == [
        "project:role:change",
        "project:role:accepted",
        "project:role:invite",
    ]
    assert journal_actions(index.database) == [
        ("Spam", None, "invite Maintainer bob", "alice"),
        ("Spam", None, "accepted Maintainer bob", "bob"),
        ("Spam", None, "change Maintainer bob to Owner", "alice"),
    ]


def test_declined_and_revoked_invitations(index: Index) -> None:
    for name in ("alice", "bob"):
        index.user(name)
    index.records.project("spam", owners=("alice",))
    alice, bob = index.auth("alice"), index.auth("bob")
    invite = {"username": "bob", "role": "Owner"}
    assert index.http.post("/projects/spam/invitations", headers=alice, json=invite).is_success
    again = index.http.post("/projects/spam/invitations", headers=alice, json=invite)
    assert again.status_code == 409
    assert again.json() == {
        "message": "User 'bob' already has an active invite. Please try again later.",
        "code": "already_invited",
    }
    assert index.http.post("/account/invitations/spam/decline", headers=bob).status_code == 204
    assert index.http.post("/account/invitations/spam/accept", headers=bob).status_code == 404
    assert index.http.post("/projects/spam/invitations", headers=alice, json=invite).is_success
    assert index.http.delete("/projects/spam/invitations/bob", headers=alice).status_code == 204
    assert index.http.post("/account/invitations/spam/accept", headers=bob).status_code == 404
    assert [action for _, _, action, _ in journal_actions(index.database)] == [
        "invite Owner bob",
        "invite Owner bob",
        "revoke_invite Owner bob",
    ]


def test_sole_owner_rules(index: Index) -> None:
    for name in ("alice", "bob"):
        index.user(name)
    index.records.project("spam", owners=("alice",), maintainers=("bob",))
    alice = index.auth("alice")
    leave = index.http.delete("/projects/spam/collaborators/alice", headers=alice)
    assert leave.status_code == 409
    assert leave.json() == {
        "message": "Cannot remove yourself as Sole Owner",
        "code": "sole_owner",
    }
    demote = index.http.patch(
        "/projects/spam/collaborators/alice", headers=alice, json={"role": "Maintainer"}
    )
    assert demote.status_code == 409
    assert demote.json()["message"] == "Cannot remove yourself as Owner"
    has_role = index.http.post(
        "/projects/spam/invitations", headers=alice, json={"username": "bob", "role": "Owner"}
    )
    assert has_role.json()["message"] == "User 'bob' already has Maintainer role for project"
    index.http.patch("/projects/spam/collaborators/bob", headers=alice, json={"role": "Owner"})
    assert (
        index.http.delete("/projects/spam/collaborators/alice", headers=alice).status_code == 204
    )
    assert index.http.get("/account/projects", headers=alice).json() == []
