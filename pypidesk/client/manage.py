"""Coroutines for pypidesk's maintainer API (``/api/v1``): tokens, invitations, roles, releases.

One :class:`ManageAPI` per (index, token): it authenticates every call with
HTTP Basic ``__token__`` / the token, as twine does for uploads, and sends
through :func:`pypidesk.client.http.send`, so every refusal arrives as a
:class:`~pypidesk.client.errors.ClientError` quoting the server. The token is
held in memory only and never part of a URL, a log line or a repr.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from pypidesk.client.http import send
from pypidesk.client.manage_types import (
    Collaborator,
    Collaborators,
    CreatedToken,
    HistoryPage,
    Invitation,
    ProjectRole,
    ReleaseState,
    TokenInfo,
    parse_list,
)

API_PREFIX = "api/v1"
TOKEN_USERNAME = "__token__"  # noqa: S105 - PyPI's fixed username for tokens, not a secret
#: What the server allows for ``expires_in_days``.
MAX_EXPIRY_DAYS = 3650
#: The server's default for an invitation's lifetime, in hours.
DEFAULT_INVITATION_HOURS = 6


def _segment(value: str) -> str:
    """One path segment; a project or file name never escapes into the path."""
    return quote(value, safe="")


def days_until(day: dt.date, today: dt.date) -> int:
    """``expires_in_days`` for a token that should work through ``day`` (at least 1)."""
    return min(max((day - today).days, 1), MAX_EXPIRY_DAYS)


class ManageAPI:
    """The maintainer API of one index, as one user (through their token)."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str) -> None:
        self._http = http
        self._root = base_url.rstrip("/") + "/" + API_PREFIX
        raw = f"{TOKEN_USERNAME}:{token}".encode()
        self._headers = {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}

    def __repr__(self) -> str:
        return f"ManageAPI({self._root!r})"

    async def _call(
        self,
        method: str,
        path: str,
        *,
        expect: Collection[int] = (200,),
        **kwargs: Any,
    ) -> Any:
        response = await send(
            self._http, method, self._root + path, expect=expect, headers=self._headers, **kwargs
        )
        return None if response.status_code == 204 else response.json()

    # -- my tokens -------------------------------------------------------------------------

    async def tokens(self) -> list[TokenInfo]:
        """My tokens, newest first."""
        body = await self._call("GET", "/account/tokens")
        return [TokenInfo.parse(t) for t in parse_list(body, "token list")]

    async def create_token(
        self,
        name: str,
        *,
        projects: Sequence[str] = (),
        permissions: Sequence[str] = ("upload",),
        expires_in_days: int | None = None,
    ) -> CreatedToken:
        """A new token; ``projects`` empty means the whole account. Its secret is shown once."""
        payload: dict[str, Any] = {
            "name": name,
            "projects": list(projects),
            "permissions": list(permissions),
            "expires_in_days": expires_in_days,
        }
        body = await self._call("POST", "/account/tokens", expect=(201,), json=payload)
        return CreatedToken.parse(body)

    async def revoke_token(self, token_id: str) -> None:
        await self._call("DELETE", f"/account/tokens/{_segment(token_id)}", expect=(204,))

    # -- a project's tokens (Owners) -------------------------------------------------------

    async def project_tokens(self, project: str) -> list[TokenInfo]:
        body = await self._call("GET", f"/projects/{_segment(project)}/tokens")
        return [TokenInfo.parse(t) for t in parse_list(body, "token list")]

    async def revoke_project_token(self, project: str, token_id: str) -> None:
        path = f"/projects/{_segment(project)}/tokens/{_segment(token_id)}"
        await self._call("DELETE", path, expect=(204,))

    # -- my projects and invitations -------------------------------------------------------

    async def my_projects(self) -> list[ProjectRole]:
        body = await self._call("GET", "/account/projects")
        return [ProjectRole.parse(r) for r in parse_list(body, "project list")]

    async def invitations(self) -> list[Invitation]:
        """Invitations waiting for my answer."""
        body = await self._call("GET", "/account/invitations")
        return [Invitation.parse(i) for i in parse_list(body, "invitation list")]

    async def accept_invitation(self, project: str) -> ProjectRole:
        body = await self._call("POST", f"/account/invitations/{_segment(project)}/accept")
        return ProjectRole.parse(body)

    async def decline_invitation(self, project: str) -> None:
        path = f"/account/invitations/{_segment(project)}/decline"
        await self._call("POST", path, expect=(204,))

    # -- a project's collaborators and invitations -----------------------------------------

    async def collaborators(self, project: str) -> Collaborators:
        return Collaborators.parse(
            await self._call("GET", f"/projects/{_segment(project)}/collaborators")
        )

    async def invite(
        self,
        project: str,
        username: str,
        role: str,
        *,
        expires_in_hours: int = DEFAULT_INVITATION_HOURS,
    ) -> Invitation:
        payload = {"username": username, "role": role, "expires_in_hours": expires_in_hours}
        body = await self._call(
            "POST", f"/projects/{_segment(project)}/invitations", expect=(201,), json=payload
        )
        return Invitation.parse(body)

    async def revoke_invitation(self, project: str, username: str) -> None:
        path = f"/projects/{_segment(project)}/invitations/{_segment(username)}"
        await self._call("DELETE", path, expect=(204,))

    async def change_role(self, project: str, username: str, role: str) -> Collaborator:
        path = f"/projects/{_segment(project)}/collaborators/{_segment(username)}"
        return Collaborator.parse(await self._call("PATCH", path, json={"role": role}))

    async def remove_collaborator(self, project: str, username: str) -> None:
        path = f"/projects/{_segment(project)}/collaborators/{_segment(username)}"
        await self._call("DELETE", path, expect=(204,))

    # -- releases, files, projects ---------------------------------------------------------

    async def yank(self, project: str, version: str, reason: str = "") -> ReleaseState:
        """Yank a release (PEP 592); without a reason, no body is sent (as PyPI's form may)."""
        path = f"/projects/{_segment(project)}/releases/{_segment(version)}/yank"
        kwargs: dict[str, Any] = {"json": {"reason": reason}} if reason else {}
        return ReleaseState.parse(await self._call("POST", path, **kwargs))

    async def unyank(self, project: str, version: str) -> ReleaseState:
        path = f"/projects/{_segment(project)}/releases/{_segment(version)}/unyank"
        return ReleaseState.parse(await self._call("POST", path))

    async def delete_release(self, project: str, version: str) -> None:
        path = f"/projects/{_segment(project)}/releases/{_segment(version)}"
        await self._call("DELETE", path, expect=(204,))

    async def delete_file(self, project: str, filename: str) -> None:
        path = f"/projects/{_segment(project)}/files/{_segment(filename)}"
        await self._call("DELETE", path, expect=(204,))

    async def delete_project(self, project: str) -> None:
        await self._call("DELETE", f"/projects/{_segment(project)}", expect=(204,))

    # -- history ---------------------------------------------------------------------------

    async def account_history(self, *, before: int | None = None, limit: int = 50) -> HistoryPage:
        """One page of my account's history, newest first; pass ``next_before`` for more."""
        return HistoryPage.parse(
            await self._call("GET", "/account/history", params=_page(before, limit))
        )

    async def project_history(
        self, project: str, *, before: int | None = None, limit: int = 50
    ) -> HistoryPage:
        path = f"/projects/{_segment(project)}/history"
        return HistoryPage.parse(await self._call("GET", path, params=_page(before, limit)))


def _page(before: int | None, limit: int) -> dict[str, int]:
    params = {"limit": limit}
    if before is not None:
        params["before"] = before
    return params
