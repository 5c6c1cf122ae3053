"""The journal: every mirror-relevant change, numbered by a global serial.

Mirrors (bandersnatch, devpi), caches and project history read from it, so
every write that changes what a client could see goes through :func:`record`
inside the same transaction as the change itself.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pypidesk.index.db.models import JournalEntry, Project
from pypidesk.index.records.changes import ChangedProject, note

# Actions that add a project to the list of all projects or take one off it.
LISTING_ACTIONS = frozenset({"create", "remove project"})


def current_serial(session: Session) -> int:
    """The global serial: the id of the newest journal entry, 0 on an empty index."""
    return session.scalar(select(func.coalesce(func.max(JournalEntry.id), 0))) or 0


def record(
    session: Session,
    project: Project,
    action: str,
    *,
    version: str | None = None,
    submitted_by: str | None = None,
) -> JournalEntry:
    """Write one journal entry and move ``project.last_serial`` to its id.

    Serials become visible in commit order because writers are serialised:
    SQLite by ``BEGIN IMMEDIATE``; on PostgreSQL the caller's transaction must
    hold :func:`lock_journal` (PyPI takes an advisory lock for the same reason).
    """
    lock_journal(session)
    entry = JournalEntry(
        name=project.name, version=version, action=action, submitted_by=submitted_by
    )
    session.add(entry)
    session.flush()
    project.last_serial = entry.id
    # What changed for readers: caching proxies drop those pages after the commit.
    note(
        session,
        ChangedProject(
            project.name,
            project.normalized_name,
            version,
            listing=action in LISTING_ACTIONS,
        ),
    )
    return entry


# Any constant works; it only has to be the same in every process.
JOURNAL_LOCK_KEY = 0x70797069


def lock_journal(session: Session) -> None:
    """Serialise journal writers on PostgreSQL so serials appear in commit order."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(JOURNAL_LOCK_KEY)))
