"""The permission matrix: every endpoint, every kind of caller, the right status.

Refused calls must change nothing: the whole database is compared before and
after each one. Callers: anonymous, another user (password), the project's
Maintainer and Owner (manage tokens), and the Owner's tokens that must not
work here: upload-only, scoped to another project, expired, revoked.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.index.api.conftest import Index, basic, bearer
from tests.index.manage.factories import snapshot

CALLERS = (
    "anonymous",
    "other",
    "no_manage",
    "other_project",
    "expired",
    "revoked",
    "maintainer",
    "owner",
)

# What a caller that cannot manage at all gets, wherever it calls.
UNAUTHORIZED = {
    "anonymous": 401,
    "revoked": 401,
    "no_manage": 403,
    "other_project": 403,
    "expired": 403,
}


@dataclasses.dataclass
class Case:
    method: str
    path: str
    allowed: dict[str, int]
    body: Any = None
    # Refusals for callers that are authenticated and may manage, but lack the role.
    refused: dict[str, int] = dataclasses.field(default_factory=dict)

    def expected(self, caller: str) -> int:
        if caller in self.allowed:
            return self.allowed[caller]
        if caller in self.refused:
            return self.refused[caller]
        return UNAUTHORIZED.get(caller, 403)


@pytest.fixture
def world(index: Index) -> dict[str, dict[str, str]]:
    """alice owns spam and eggs; mallory maintains spam; eve and bob have no role."""
    for name in ("alice", "mallory", "eve", "bob"):
        index.user(name)
    index.records.project("spam", owners=("alice",), maintainers=("mallory",))
    index.records.project("eggs", owners=("alice",))
    index.records.release("spam", "1.0", filenames=("spam-1.0.tar.gz",))
    index.records.release("spam", "2.0", filenames=("spam-2.0.tar.gz",))
    headers = {
        "anonymous": {},
        "other": basic("eve"),
        "maintainer": bearer(index.token("mallory", "mallory-laptop")),
        "owner": bearer(index.token("alice", "alice-laptop")),
        "no_manage": bearer(index.token("alice", "upload-only", permissions=("upload",))),
        "other_project": bearer(index.token("alice", "eggs-only", projects=("eggs",))),
        "expired": bearer(index.token("alice", "expired")),
        "revoked": bearer(index.token("alice", "revoked")),
    }
    index.expire_token("alice", "expired")
    index.revoke_token("alice", "revoked")
    index.token("mallory", "mallory-spam-ci", projects=("spam",), permissions=("upload",))
    index.token("alice", "spare")
    return headers


def _cases(index: Index) -> list[Case]:
    everyone = {"other": 200, "maintainer": 200, "owner": 200}
    spare = index.token_id("alice", "spare")
    scoped = index.token_id("mallory", "mallory-spam-ci")
    not_owner = {"other": 403, "maintainer": 403}
    return [
        Case("GET", "/account", everyone),
        Case("GET", "/account/projects", everyone),
        Case("GET", "/account/invitations", everyone),
        Case("GET", "/account/history", everyone),
        Case("GET", "/account/tokens", everyone),
        Case(
            "POST",
            "/account/tokens",
            {"other": 201, "maintainer": 201, "owner": 201},
            body={"name": "made-by-api"},
        ),
        Case(
            "DELETE",
            f"/account/tokens/{spare}",
            {"owner": 204},
            refused={"other": 404, "maintainer": 404},
        ),
        Case(
            "POST",
            "/account/password",
            everyone,
            body={
                "current_password": "correct horse battery",
                "new_password": "correct horse battery",
            },
        ),
        Case(
            "GET",
            "/projects/spam/collaborators",
            {"maintainer": 200, "owner": 200},
            refused={"other": 403},
        ),
        Case(
            "GET",
            "/projects/spam/history",
            {"maintainer": 200, "owner": 200},
            refused={"other": 403},
        ),
        Case("GET", "/projects/spam/tokens", {"owner": 200}, refused=not_owner),
        Case("DELETE", f"/projects/spam/tokens/{scoped}", {"owner": 204}, refused=not_owner),
        Case(
            "POST",
            "/projects/spam/invitations",
            {"owner": 201},
            refused=not_owner,
            body={"username": "bob", "role": "Maintainer"},
        ),
        # Nobody here was invited: there is nothing to answer.
        Case(
            "POST",
            "/account/invitations/spam/accept",
            {},
            refused={"other": 404, "maintainer": 404, "owner": 404},
        ),
        Case(
            "POST",
            "/account/invitations/spam/decline",
            {},
            refused={"other": 404, "maintainer": 404, "owner": 404},
        ),
        Case("DELETE", "/projects/spam/invitations/bob", {"owner": 204}, refused=not_owner),
        Case(
            "PATCH",
            "/projects/spam/collaborators/mallory",
            {"owner": 200},
            refused=not_owner,
            body={"role": "Maintainer"},
        ),
        Case(
            "POST",
            "/projects/spam/releases/1.0/yank",
            {"owner": 200},
            refused=not_owner,
            body={"reason": "broken"},
        ),
        Case("POST", "/projects/spam/releases/1.0/unyank", {"owner": 200}, refused=not_owner),
        Case("DELETE", "/projects/spam/files/spam-2.0.tar.gz", {"owner": 204}, refused=not_owner),
        Case("DELETE", "/projects/spam/releases/2.0", {"owner": 204}, refused=not_owner),
        # A Maintainer may leave; after that the Owner finds no role to remove.
        Case(
            "DELETE",
            "/projects/spam/collaborators/mallory",
            {"maintainer": 204},
            refused={"other": 403, "owner": 404},
        ),
        Case("DELETE", "/projects/spam", {"owner": 204}, refused={"other": 403}),
    ]


def test_every_endpoint_answers_every_caller_right(
    index: Index, world: dict[str, dict[str, str]]
) -> None:
    failures = []
    for case in _cases(index):
        for caller in CALLERS:
            before = snapshot(index.database)
            response = index.http.request(
                case.method, case.path, headers=world[caller], json=case.body
            )
            expected = case.expected(caller)
            if response.status_code != expected:
                failures.append(
                    f"{case.method} {case.path} as {caller}: "
                    f"{response.status_code} {response.text} (expected {expected})"
                )
            if response.status_code >= 400:
                body = response.json()
                assert set(body) == {"message", "code"}, body
                if snapshot(index.database) != before:
                    failures.append(f"{case.method} {case.path} as {caller}: changed records")
    assert failures == []


def test_refusals_say_why(index: Index, world: dict[str, dict[str, str]]) -> None:
    def refusal(caller: str, path: str = "/projects/spam/history") -> dict[str, str]:
        return index.http.get(path, headers=world[caller]).json()

    assert refusal("anonymous")["code"] == "unauthenticated"
    assert refusal("revoked")["message"].startswith("Invalid or non-existent authentication")
    assert refusal("expired")["message"] == "Invalid API Token: token is expired"
    assert refusal("no_manage")["message"] == (
        "Invalid API Token: token does not have the 'manage' permission"
    )
    assert refusal("other_project")["message"] == (
        "Invalid API Token: project-scoped token is not valid for project: 'spam'"
    )
    assert refusal("other_project", "/account")["message"] == (
        "Invalid API Token: project-scoped token used outside of a project context"
    )
    assert refusal("other") == {
        "message": "You are not a collaborator on project 'spam'.",
        "code": "not_collaborator",
    }


def test_public_endpoints_need_no_credentials(index: Index) -> None:
    response = index.http.get("/flags")
    assert response.status_code == 200
    assert response.json() == {
        "flags": {
            "read-only": False,
            "disallow-new-upload": False,
            "disallow-new-project-registration": False,
            "disallow-new-user-registration": False,
            "disallow-deletion": False,
        }
    }


def test_malformed_credentials_are_unauthenticated_and_not_counted(index: Index) -> None:
    index.user("alice")
    malformed = [
        "Basic !!!not-base64",
        "Basic " + "bm8gY29sb24=",  # "no colon"
        "Basic " + "X190b2tlbl9fOmdhcmJhZ2U=",  # "__token__:garbage"
        "Digest whatever",
    ]
    for _ in range(11):
        for header in malformed:
            response = index.http.get("/account", headers={"Authorization": header})
            assert response.status_code == 401, header
            assert response.headers["WWW-Authenticate"] == 'Basic realm="pypidesk", Bearer'
    # None of that counted as a failed password: alice still signs in.
    assert index.http.get("/account", headers=basic("alice")).status_code == 200
