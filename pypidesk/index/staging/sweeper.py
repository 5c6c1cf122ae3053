"""Expiry and clean-up of publishing sessions, run at start-up and then every minute.

- A live session past ``expires-at`` becomes ``expired``: its URLs answer 404
  and its files are removed (the draft: the session "and thus all of its
  content" expires).
- A finished session's status is kept for ``staging_retention``, then its
  rows go (the draft's "Session Status Retention").
- A filename reservation older than :data:`RESERVATION_TIMEOUT` belonged to a
  publish that crashed (a publish holds it for one request): it is released.
- A directory of staged files whose session is not live any more is removed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil

from sqlalchemy import delete, select

from pypidesk.index.db.models import (
    LIVE_SESSION_STATES,
    StagingFile,
    StagingReservation,
    StagingSession,
    utcnow,
)
from pypidesk.index.staging.service import StagingService

RESERVATION_TIMEOUT = dt.timedelta(minutes=10)
SWEEP_EVERY = 60.0


def sweep(service: StagingService) -> None:
    """One pass; safe to run in several server processes at once."""
    now = utcnow()
    retention = dt.timedelta(seconds=service.settings.staging_retention)
    with service.database.write() as session:
        service._expire_due(session)
        expired = select(StagingSession.id).where(StagingSession.status == "expired")
        session.execute(delete(StagingFile).where(StagingFile.session_id.in_(expired)))
        session.execute(
            delete(StagingSession).where(
                StagingSession.status.not_in(LIVE_SESSION_STATES),
                StagingSession.ended_at <= now - retention,
            )
        )
        session.execute(
            delete(StagingReservation).where(
                StagingReservation.created <= now - RESERVATION_TIMEOUT
            )
        )
        live = set(
            session.scalars(
                select(StagingSession.token).where(StagingSession.status.in_(LIVE_SESSION_STATES))
            )
        )
    if service.root.is_dir():
        for directory in service.root.iterdir():
            if directory.name not in live:
                shutil.rmtree(directory, ignore_errors=True)


async def sweep_forever(service: StagingService, every: float = SWEEP_EVERY) -> None:
    """The server's background sweeper; ends when cancelled."""
    while True:
        await asyncio.to_thread(sweep, service)
        await asyncio.sleep(every)
