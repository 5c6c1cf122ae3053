"""The journal: every mirror-relevant change, numbered by a global serial."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pypidesk.index.db.models import JournalEntry


def current_serial(session: Session) -> int:
    """The global serial: the id of the newest journal entry, 0 on an empty index."""
    return session.scalar(select(func.coalesce(func.max(JournalEntry.id), 0))) or 0
