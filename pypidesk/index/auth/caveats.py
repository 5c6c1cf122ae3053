"""API token caveats in PyPI's compact JSON forms, and their checks.

A caveat is a JSON array whose first element is a tag (Warehouse's
``warehouse/macaroons/caveats``):

- ``[0, expires_at, not_before]`` Expiration, in Unix seconds;
- ``[1, [normalized project names]]`` ProjectName;
- ``[2, [project uuids]]`` ProjectID: survives a project being deleted and
  its name registered anew, because the new project has a new uuid;
- ``[3, user_uuid]`` RequestUser.

PyPI's older JSON-object forms (``{"version": 1, "permissions": ...}``,
``{"exp": .., "nbf": ..}``, ``{"project_ids": [...]}``) are accepted too.

Anything else, including a well-formed caveat with a malformed body, fails:
a token holder may attenuate a token with caveats of these forms, but the
server must never accept a restriction it does not understand.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pypidesk.index.db.models import Project

if TYPE_CHECKING:
    from pypidesk.index.upload.records import ProjectRecord

EXPIRATION = 0
PROJECT_NAME = 1
PROJECT_ID = 2
REQUEST_USER = 3

Caveat = list[Any]


@dataclasses.dataclass(frozen=True, slots=True)
class CaveatContext:
    """What a request offers the caveats to check: who, on which project, when."""

    user_uuid: str
    project: Project | ProjectRecord | None
    now: int


def expiration(expires_at: int, not_before: int) -> Caveat:
    return [EXPIRATION, expires_at, not_before]


def project_names(names: Sequence[str]) -> Caveat:
    return [PROJECT_NAME, list(names)]


def project_ids(uuids: Sequence[str]) -> Caveat:
    return [PROJECT_ID, list(uuids)]


def request_user(user_uuid: str) -> Caveat:
    return [REQUEST_USER, user_uuid]


def serialize(caveat: Caveat) -> str:
    """The caveat's predicate as PyPI writes it: JSON without spaces."""
    return json.dumps(caveat, separators=(",", ":"))


def _is_int(value: object) -> bool:
    # JSON true/false load as bool, which Python counts as int.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def check(predicate: str, context: CaveatContext) -> str | None:
    """The caveat's failure message (PyPI's text) or None when it is satisfied."""
    try:
        caveat = json.loads(predicate)
    except ValueError:
        caveat = None
    if isinstance(caveat, list):
        verdict = _check_compact(caveat, context)
    elif isinstance(caveat, dict):
        verdict = _check_legacy(caveat, context)
    else:
        verdict = _UNKNOWN
    if isinstance(verdict, _Unknown):
        return f"unknown caveat: {predicate!r}"
    return verdict


class _Unknown:
    """Returned by the checkers for a caveat they do not understand."""


_UNKNOWN = _Unknown()


def _check_compact(caveat: list[Any], context: CaveatContext) -> str | _Unknown | None:
    # Checking the tag's type first: literal patterns compare with ==, which
    # would let JSON true stand for 1.
    if not (caveat and _is_int(caveat[0])):
        return _UNKNOWN
    match caveat:
        case [0, expires_at, not_before] if _is_int(expires_at) and _is_int(not_before):
            return _check_expiration(expires_at, not_before, context)
        case [1 | 2 as tag, values] if _is_str_list(values):
            return _check_project(tag, values, context)
        case [3, str(user_uuid)]:
            return _check_user(user_uuid, context)
    return _UNKNOWN


def _check_legacy(caveat: dict[str, Any], context: CaveatContext) -> str | _Unknown | None:
    """PyPI's older JSON-object caveats, which it still accepts, as a holder's
    attenuation tool may write them."""
    if not _is_int(caveat.get("version", 1)):
        return _UNKNOWN  # a pattern's literal 1 would match JSON true
    match caveat:
        case {"version": 1, "permissions": "user"} if len(caveat) == 2:
            return None  # the whole account: no restriction beyond the token's own
        case {"version": 1, "permissions": {"projects": names}} if (
            len(caveat) == 2 and len(caveat["permissions"]) == 1 and _is_str_list(names)
        ):
            return _check_project(PROJECT_NAME, names, context)
        case {"exp": expires_at, "nbf": not_before} if (
            len(caveat) == 2 and _is_int(expires_at) and _is_int(not_before)
        ):
            return _check_expiration(expires_at, not_before, context)
        case {"project_ids": uuids} if len(caveat) == 1 and _is_str_list(uuids):
            return _check_project(PROJECT_ID, uuids, context)
    return _UNKNOWN


def _check_expiration(expires_at: int, not_before: int, context: CaveatContext) -> str | None:
    if context.now < not_before or context.now >= expires_at:
        return "token is expired"
    return None


def _check_project(tag: int, values: list[str], context: CaveatContext) -> str | None:
    project = context.project
    if project is None:
        return "project-scoped token used outside of a project context"
    key = project.normalized_name if tag == PROJECT_NAME else project.uuid
    if key not in values:
        return f"project-scoped token is not valid for project: {project.name!r}"
    return None


def _check_user(user_uuid: str, context: CaveatContext) -> str | None:
    if user_uuid != context.user_uuid:
        return "current user does not match user restriction in token"
    return None
