"""Who acts, from where, and the checks and records every action shares."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from pypidesk.index.db.models import Event, JournalEntry, Project, User
from pypidesk.index.manage.errors import DisabledError
from pypidesk.index.records import flags
from pypidesk.index.records.events import record_event
from pypidesk.index.records.journal import record


def as_utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC datetime; SQLite hands stored datetimes back naive."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


@dataclasses.dataclass(frozen=True)
class Actor:
    """The one who acts: a signed-in user, or the server's administrator (``user`` None).

    The administrator is whoever runs ``pypidesk admin`` on the server: role
    checks and the deletion switch do not apply to them.
    """

    user: User | None
    ip_address: str | None = None
    token_name: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.user is None

    @property
    def username(self) -> str | None:
        return None if self.user is None else self.user.username


ADMIN = Actor(user=None)


@dataclasses.dataclass(frozen=True)
class Context:
    """One action's session, actor and help page; built per request or command."""

    session: Session
    actor: Actor
    help_url: str = "https://pypi.org/help/"

    def require_writable(self) -> None:
        """Refuse any change in read-only mode, except the administrator's."""
        if not self.actor.is_admin and flags.is_enabled(self.session, flags.READ_ONLY):
            raise DisabledError(
                flags.read_only_management_message(self.help_url), code="read_only"
            )

    def require_deletion_allowed(self) -> None:
        """Refuse deletions while ``disallow-deletion`` is on (PyPI: all user deletions)."""
        self.require_writable()
        if not self.actor.is_admin and flags.is_enabled(self.session, flags.DISALLOW_DELETION):
            raise DisabledError(
                flags.message(flags.DISALLOW_DELETION, self.help_url), code="deletion_disabled"
            )

    def journal(
        self, project: Project, action: str, *, version: str | None = None
    ) -> JournalEntry:
        return record(
            self.session, project, action, version=version, submitted_by=self.actor.username
        )

    def event(self, tag: str, *, project: str | None = None, **additional: Any) -> Event:
        """Record ``tag`` with who, when, from where and with which token."""
        if self.actor.is_admin:
            additional["by"] = "admin"
        return record_event(
            self.session,
            tag,
            project_name=project,
            username=self.actor.username,
            ip_address=self.actor.ip_address,
            token_name=self.actor.token_name,
            additional=additional,
        )
