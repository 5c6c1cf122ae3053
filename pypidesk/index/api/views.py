"""Records to response models; datetimes leave as aware UTC whatever the backend."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from pypidesk.index.api import schemas
from pypidesk.index.db.models import ApiToken, Event, Project, Release, RoleInvitation, User
from pypidesk.index.manage.context import as_utc
from pypidesk.index.records.events import EventPage


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else as_utc(value)


def token_info(token: ApiToken) -> schemas.TokenInfo:
    return schemas.TokenInfo(
        id=token.id,
        name=token.name,
        username=token.user.username,
        permissions=list(token.permissions),
        projects=list(token.project_names),
        created=as_utc(token.created),
        last_used=_utc(token.last_used),
        expires_at=_utc(token.expires_at),
    )


def invitation(session: Session, row: RoleInvitation) -> schemas.Invitation:
    project = session.get(Project, row.project_id)
    user = session.get(User, row.user_id)
    inviter = None if row.inviter_id is None else session.get(User, row.inviter_id)
    assert project is not None
    assert user is not None
    return schemas.Invitation(
        project=project.name,
        username=user.username,
        role=row.role_name,
        inviter=None if inviter is None else inviter.username,
        created=as_utc(row.created),
        expires_at=as_utc(row.expires_at),
    )


def release_state(project: Project, release: Release) -> schemas.ReleaseState:
    return schemas.ReleaseState(
        project=project.name,
        version=release.version,
        yanked=release.yanked,
        yanked_reason=release.yanked_reason,
        yanked_at=_utc(release.yanked_at),
    )


def _event(event: Event) -> schemas.HistoryEvent:
    return schemas.HistoryEvent(
        id=event.id,
        tag=event.tag,
        time=as_utc(event.time),
        username=event.username,
        project=event.project_normalized_name,
        ip_address=event.ip_address,
        token_name=event.token_name,
        additional=dict(event.additional),
    )


def history(page: EventPage) -> schemas.History:
    return schemas.History(
        events=[_event(event) for event in page.events], next_before=page.next_before
    )
