"""What the maintainer API answers, as plain frozen dataclasses (no pydantic, no Qt).

The shapes follow ``pypidesk/index/api/schemas.py``; parsing is strict
enough that a changed server fails here, at the boundary, with a
:class:`ResponseShapeError` instead of deep inside a page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

from pypidesk.client.errors import ClientError


class ResponseShapeError(ClientError):
    """The index answered 2xx with a body that is not what the maintainer API sends."""

    def __init__(self, what: str, detail: str) -> None:
        self.what = what
        super().__init__(f"The index sent an unexpected {what}: {detail}.")


def _get(body: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = body.get(key)
    if not isinstance(value, kind):
        raise ResponseShapeError(what, f"{key!r} is {value!r}")
    return value


def _time(body: Mapping[str, Any], key: str, what: str) -> dt.datetime:
    text = _get(body, key, str, what)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ResponseShapeError(what, f"{key!r} is not a time: {text!r}") from exc
    # The server sends aware UTC; a naive time would be read as UTC too.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _optional_time(body: Mapping[str, Any], key: str, what: str) -> dt.datetime | None:
    return None if body.get(key) is None else _time(body, key, what)


def _strings(body: Mapping[str, Any], key: str, what: str) -> tuple[str, ...]:
    values = _get(body, key, list, what)
    if not all(isinstance(v, str) for v in values):
        raise ResponseShapeError(what, f"{key!r} holds a non-string")
    return tuple(values)


def _object(body: object, what: str) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise ResponseShapeError(what, f"expected an object, got {type(body).__name__}")
    return body


def _list(body: object, what: str) -> list[Any]:
    if not isinstance(body, list):
        raise ResponseShapeError(what, f"expected a list, got {type(body).__name__}")
    return body


class TokenStatus(enum.Enum):
    ACTIVE = "active"
    EXPIRED = "expired"


@dataclasses.dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as listed; the server keeps no secret to show."""

    id: str
    name: str
    username: str
    permissions: tuple[str, ...]
    #: Normalized project names; empty for a token of the whole account.
    projects: tuple[str, ...]
    created: dt.datetime
    last_used: dt.datetime | None
    expires_at: dt.datetime | None

    def status(self, now: dt.datetime) -> TokenStatus:
        if self.expires_at is not None and self.expires_at <= now:
            return TokenStatus.EXPIRED
        return TokenStatus.ACTIVE

    @classmethod
    def parse(cls, raw: object) -> TokenInfo:
        what = "token"
        body = _object(raw, what)
        return cls(
            id=_get(body, "id", str, what),
            name=_get(body, "name", str, what),
            username=_get(body, "username", str, what),
            permissions=_strings(body, "permissions", what),
            projects=_strings(body, "projects", what),
            created=_time(body, "created", what),
            last_used=_optional_time(body, "last_used", what),
            expires_at=_optional_time(body, "expires_at", what),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class CreatedToken:
    """A new token and its secret, which exists nowhere else (never logged: repr hides it)."""

    info: TokenInfo
    secret: str = dataclasses.field(repr=False)
    replaced: bool = False

    @classmethod
    def parse(cls, raw: object) -> CreatedToken:
        body = _object(raw, "new token")
        return cls(
            info=TokenInfo.parse(body),
            secret=_get(body, "token", str, "new token"),
            replaced=bool(body.get("replaced", False)),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Invitation:
    project: str
    username: str
    role: str
    inviter: str | None
    created: dt.datetime
    expires_at: dt.datetime

    @classmethod
    def parse(cls, raw: object) -> Invitation:
        what = "invitation"
        body = _object(raw, what)
        inviter = body.get("inviter")
        return cls(
            project=_get(body, "project", str, what),
            username=_get(body, "username", str, what),
            role=_get(body, "role", str, what),
            inviter=inviter if isinstance(inviter, str) else None,
            created=_time(body, "created", what),
            expires_at=_time(body, "expires_at", what),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Collaborator:
    username: str
    role: str

    @classmethod
    def parse(cls, raw: object) -> Collaborator:
        body = _object(raw, "collaborator")
        return cls(
            _get(body, "username", str, "collaborator"), _get(body, "role", str, "collaborator")
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Collaborators:
    roles: tuple[Collaborator, ...]
    #: Pending invitations; only Owners see them.
    invitations: tuple[Invitation, ...]

    @classmethod
    def parse(cls, raw: object) -> Collaborators:
        body = _object(raw, "collaborator list")
        return cls(
            tuple(Collaborator.parse(r) for r in _get(body, "roles", list, "collaborator list")),
            tuple(
                Invitation.parse(i) for i in _get(body, "invitations", list, "collaborator list")
            ),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class ProjectRole:
    project: str
    role: str

    @classmethod
    def parse(cls, raw: object) -> ProjectRole:
        body = _object(raw, "role")
        return cls(_get(body, "project", str, "role"), _get(body, "role", str, "role"))


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseState:
    project: str
    version: str
    yanked: bool
    yanked_reason: str
    yanked_at: dt.datetime | None

    @classmethod
    def parse(cls, raw: object) -> ReleaseState:
        what = "release state"
        body = _object(raw, what)
        return cls(
            project=_get(body, "project", str, what),
            version=_get(body, "version", str, what),
            yanked=_get(body, "yanked", bool, what),
            yanked_reason=_get(body, "yanked_reason", str, what),
            yanked_at=_optional_time(body, "yanked_at", what),
        )


class EventKind(enum.Enum):
    """The groups the Activity page filters by; one event may be in several."""

    UPLOAD = "upload"
    TOKEN = "token"  # noqa: S105 - a group of events, not a secret
    ROLE = "role"
    YANK = "yank"
    DELETION = "deletion"
    ACCOUNT = "account"


_UPLOAD_TAGS = frozenset({"project:create", "project:release:add", "project:file:add"})
_YANK_TAGS = frozenset({"project:release:yank", "project:release:unyank"})
_DELETION_TAGS = frozenset({"project:file:remove", "project:release:remove", "project:remove"})


@dataclasses.dataclass(frozen=True, slots=True)
class HistoryEvent:
    id: int
    tag: str
    time: dt.datetime
    username: str | None
    project: str | None
    ip_address: str | None
    #: The token the action was done with, if any ("token use").
    token_name: str | None
    additional: Mapping[str, Any]

    @property
    def kinds(self) -> frozenset[EventKind]:
        kinds = set()
        if self.tag in _UPLOAD_TAGS:
            kinds.add(EventKind.UPLOAD)
        if "api_token" in self.tag or self.token_name is not None:
            kinds.add(EventKind.TOKEN)
        if self.tag.startswith("project:role:"):
            kinds.add(EventKind.ROLE)
        if self.tag in _YANK_TAGS:
            kinds.add(EventKind.YANK)
        if self.tag in _DELETION_TAGS:
            kinds.add(EventKind.DELETION)
        if self.tag.startswith("account:"):
            kinds.add(EventKind.ACCOUNT)
        return frozenset(kinds)

    @classmethod
    def parse(cls, raw: object) -> HistoryEvent:
        what = "history event"
        body = _object(raw, what)

        def text(key: str) -> str | None:
            value = body.get(key)
            return value if isinstance(value, str) else None

        return cls(
            id=_get(body, "id", int, what),
            tag=_get(body, "tag", str, what),
            time=_time(body, "time", what),
            username=text("username"),
            project=text("project"),
            ip_address=text("ip_address"),
            token_name=text("token_name"),
            additional=dict(_get(body, "additional", dict, what)),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class HistoryPage:
    events: tuple[HistoryEvent, ...]
    #: Pass as ``before`` for the next, older page; None on the last page.
    next_before: int | None

    @classmethod
    def parse(cls, raw: object) -> HistoryPage:
        body = _object(raw, "history")
        next_before = body.get("next_before")
        return cls(
            tuple(HistoryEvent.parse(e) for e in _get(body, "events", list, "history")),
            next_before if isinstance(next_before, int) else None,
        )


def parse_list(raw: object, what: str) -> list[Any]:
    """``raw`` as a list, or :class:`ResponseShapeError`."""
    return _list(raw, what)
