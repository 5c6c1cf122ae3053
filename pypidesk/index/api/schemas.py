"""The API's request and response bodies, as pydantic models (they make /openapi.json)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pypidesk.index.records.role_names import RoleName

Permission = Literal["upload", "manage"]
# What a new token may do unless asked for more.
_UPLOAD_ONLY: list[Permission] = ["upload"]

# Usernames follow PyPI's rule (checked again by the service); passwords are
# bounded so one request cannot make argon2 hash megabytes.
Username = Field(min_length=1, max_length=50)
Password = Field(min_length=1, max_length=4096)
# No control characters (C0 and DEL), as accounts.create_token requires; said in
# the schema so that a schema-valid name is never refused.
TOKEN_NAME_PATTERN = r"^[^\x00-\x1f\x7f]+$"  # noqa: S105 - a regex, not a secret
TokenName = Field(min_length=1, max_length=100, pattern=TOKEN_NAME_PATTERN)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    """Every error: a sentence for people and a stable word for scripts."""

    message: str
    code: str


class SignIn(_Model):
    username: str = Username
    password: str = Password
    token_name: str = Field(
        min_length=1,
        max_length=100,
        pattern=TOKEN_NAME_PATTERN,
        description="Name of the token to mint, usually the machine's name; "
        "an existing token of that name is replaced.",
    )
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class Registration(_Model):
    username: str = Username
    email: str = Field(min_length=3, max_length=254)
    password: str = Password


class PasswordChange(_Model):
    current_password: str = Password
    new_password: str = Password


class PasswordChanged(BaseModel):
    message: str
    tokens_kept: int = Field(description="API tokens that keep working; none is revoked.")


class TokenCreate(_Model):
    name: str = TokenName
    projects: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Projects the token is limited to; empty for the whole account.",
    )
    permissions: list[Permission] = Field(default_factory=_UPLOAD_ONLY.copy, min_length=1)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenInfo(BaseModel):
    """A token as listed: everything but the secret, which the server does not keep."""

    id: str
    name: str
    username: str
    permissions: list[str]
    projects: list[str] = Field(description="Normalized names; empty for the whole account.")
    created: dt.datetime
    last_used: dt.datetime | None
    expires_at: dt.datetime | None


class TokenCreated(TokenInfo):
    token: str = Field(description="The secret; shown only in this response.")
    replaced: bool = Field(
        default=False, description="An older token of the same name was revoked."
    )


class Account(BaseModel):
    username: str
    email: str
    created: dt.datetime
    authenticated_with: Literal["password", "token"]
    token: TokenInfo | None


class ProjectRole(BaseModel):
    project: str
    role: RoleName


class MyProject(ProjectRole):
    """A project of mine, with what a project list shows beside it (no request per row)."""

    latest_version: str | None = Field(
        description="The version the JSON API calls latest; null before the first release."
    )
    last_upload: dt.datetime | None = Field(description="When its newest file was uploaded.")


class Invitation(BaseModel):
    project: str
    username: str
    role: RoleName
    inviter: str | None
    created: dt.datetime
    expires_at: dt.datetime


class InvitationCreate(_Model):
    username: str = Username
    role: RoleName
    expires_in_hours: int = Field(default=6, ge=1, le=24 * 30)


class Collaborator(BaseModel):
    username: str
    role: RoleName


class Collaborators(BaseModel):
    roles: list[Collaborator]
    invitations: list[Invitation] = Field(description="Pending invitations; Owners only.")


class RoleUpdate(_Model):
    role: RoleName


class Yank(_Model):
    reason: str = Field(default="", max_length=1000)


class ReleaseState(BaseModel):
    project: str
    version: str
    yanked: bool
    yanked_reason: str
    yanked_at: dt.datetime | None


class HistoryEvent(BaseModel):
    id: int
    tag: str
    time: dt.datetime
    username: str | None
    project: str | None
    ip_address: str | None
    token_name: str | None
    additional: dict[str, Any]


class History(BaseModel):
    events: list[HistoryEvent] = Field(description="Newest first.")
    next_before: int | None = Field(
        description="Pass as `before` for the next (older) page; null on the last page."
    )


class FlagStates(BaseModel):
    flags: dict[str, bool]
