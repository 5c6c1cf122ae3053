"""What a session and a file upload session look like to the routes, detached from the ORM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pypidesk.index.db.models import StagingFile, StagingSession


def aware(moment: dt.datetime) -> dt.datetime:
    """A stored timestamp as aware UTC (SQLite hands back naive ones)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def zulu(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with ``Z`` and whole seconds, as the draft requires."""
    return aware(moment).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class FileView:
    token: str
    filename: str
    status: str
    expires_at: dt.datetime
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SessionView:
    token: str
    name: str
    version: str
    status: str
    expires_at: dt.datetime
    notices: list[str] = field(default_factory=list)
    # Live (not canceled) files only: the draft's ``files`` mapping.
    files: list[FileView] = field(default_factory=list)


def file_view(row: StagingFile, expires_at: dt.datetime) -> FileView:
    # A file upload session lives as long as its publishing session.
    return FileView(row.token, row.filename, row.status, expires_at, list(row.notices))


def session_view(row: StagingSession) -> SessionView:
    return SessionView(
        token=row.token,
        name=row.name,
        version=row.version,
        status=row.status,
        expires_at=row.expires_at,
        notices=list(row.notices),
        files=[
            file_view(f, row.expires_at)
            for f in sorted(row.files, key=lambda f: f.filename)
            if f.status != "canceled"
        ],
    )
