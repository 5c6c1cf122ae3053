"""The audit history: who did what, when, from which address, with which token.

Unlike the journal (what mirrors replay), events are for people: a project's
Owners read its history, a user reads their account's. Rows name projects
and users rather than pointing at them, so history outlives a deleted
project. Every write path (management actions, uploads, sign-ins) calls
:func:`record_event` inside the transaction of the change it describes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from packaging.utils import canonicalize_name
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from pypidesk.index.db.models import Event

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def record_event(
    session: Session,
    tag: str,
    *,
    project_name: str | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    token_name: str | None = None,
    additional: dict[str, Any] | None = None,
) -> Event:
    """Add one event; ``project_name`` is stored normalized so lookups ignore spelling."""
    event = Event(
        tag=tag,
        project_normalized_name=None if project_name is None else canonicalize_name(project_name),
        username=username,
        ip_address=ip_address,
        token_name=token_name,
        additional=dict(additional or {}),
    )
    session.add(event)
    session.flush()
    return event


@dataclasses.dataclass(frozen=True)
class EventPage:
    """Events newest first; pass ``next_before`` as ``before`` for the next (older) page."""

    events: list[Event]
    next_before: int | None


def _page(
    session: Session, where: ColumnElement[bool], before: int | None, limit: int
) -> EventPage:
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = select(Event).where(where)
    if before is not None:
        query = query.where(Event.id < before)
    # One row more than asked tells whether an older page exists.
    rows = list(session.scalars(query.order_by(Event.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return EventPage(rows, rows[-1].id if more else None)


def project_history(
    session: Session,
    project_name: str,
    *,
    before: int | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> EventPage:
    """Events of the project called ``project_name`` (any spelling), newest first."""
    where = Event.project_normalized_name == canonicalize_name(project_name)
    return _page(session, where, before, limit)


def account_history(
    session: Session, username: str, *, before: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> EventPage:
    """Events done by ``username`` or done to them (invited, removed, token revoked).

    Actions on another user name them as ``additional["target_user"]``.
    """
    where = or_(
        Event.username == username, Event.additional["target_user"].as_string() == username
    )
    return _page(session, where, before, limit)
