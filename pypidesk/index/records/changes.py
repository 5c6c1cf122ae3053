"""What a write transaction changed that a reader can see, handed on once it commits.

Caching proxies in front of the index keep pages for a day; after a commit
the server asks them to drop exactly the pages that changed
(:mod:`pypidesk.index.serving.purge`). Every ORM write that changes a page
goes through :func:`pypidesk.index.records.journal.record`, which notes the
project here, in the session; :class:`pypidesk.index.db.engine.Database`
hands the notes over after the commit and drops them on a rollback. The
upload path, which writes with plain SQL, lists its changes itself.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

_SESSION_KEY = "pypidesk.changes"


@dataclasses.dataclass(frozen=True, slots=True)
class ChangedProject:
    """One project whose pages changed.

    ``version`` names the release whose own pages changed too (None: only the
    project's pages); ``listing`` is set when the list of all projects changed
    (a project was created or deleted).
    """

    name: str
    normalized_name: str
    version: str | None = None
    listing: bool = False


def note(session: Session, change: ChangedProject) -> None:
    """Remember ``change`` until ``session``'s transaction ends."""
    changes: list[ChangedProject] = session.info.setdefault(_SESSION_KEY, [])
    if change not in changes:
        changes.append(change)


def take(session: Session) -> list[ChangedProject]:
    """The changes noted in ``session`` since the last take, which forgets them."""
    changes: list[ChangedProject] = session.info.pop(_SESSION_KEY, [])
    return changes
