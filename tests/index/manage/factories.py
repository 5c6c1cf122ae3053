"""Small factories for records, and a snapshot of every table to prove "nothing changed"."""

from __future__ import annotations

import hashlib
from typing import Any

from packaging.utils import canonicalize_name, canonicalize_version
from sqlalchemy import inspect, select, text

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import (
    Event,
    File,
    FileRegistry,
    JournalEntry,
    Project,
    Release,
    Role,
    User,
)
from pypidesk.index.manage.context import Actor, Context
from tests.index.factories import make_user


class Records:
    """Builds users, projects, releases and files directly in the database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def user(self, username: str, *, active: bool = True) -> None:
        with self.database.write() as session:
            make_user(session, username, is_active=active)

    def project(
        self, name: str, *, owners: tuple[str, ...] = (), maintainers: tuple[str, ...] = ()
    ) -> None:
        with self.database.write() as session:
            project = Project(name=name, normalized_name=canonicalize_name(name))
            session.add(project)
            for role_name, usernames in (("Owner", owners), ("Maintainer", maintainers)):
                for username in usernames:
                    user = session.scalars(select(User).where(User.username == username)).one()
                    session.add(Role(user=user, project=project, role_name=role_name))

    def release(self, project_name: str, version: str, *, filenames: tuple[str, ...] = ()) -> None:
        with self.database.write() as session:
            project = session.scalars(
                select(Project).where(Project.normalized_name == canonicalize_name(project_name))
            ).one()
            release = Release(
                project=project,
                version=version,
                canonical_version=canonicalize_version(version),
            )
            session.add(release)
            for filename in filenames:
                digest = hashlib.blake2b(filename.encode(), digest_size=32).hexdigest()
                session.add(
                    File(
                        release=release,
                        filename=filename,
                        path=f"{digest[:2]}/{digest[2:4]}/{digest[4:]}/{filename}",
                        size=100,
                        md5_digest="0" * 32,
                        sha256_digest="0" * 64,
                        blake2_256_digest=digest,
                        packagetype="bdist_wheel" if filename.endswith(".whl") else "sdist",
                        python_version="py3" if filename.endswith(".whl") else "source",
                    )
                )
                session.add(FileRegistry(filename=filename))
                project.total_size += 100


def context(session: Any, username: str | None, **actor: Any) -> Context:
    """A :class:`Context` acting as ``username`` (None: the administrator)."""
    user = None
    if username is not None:
        user = session.scalars(select(User).where(User.username == username)).one()
    return Context(session, Actor(user=user, **actor))


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare before and after a refused action."""
    with database.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        dump = {}
        for table in tables:
            query = text(f'SELECT * FROM "{table}"')  # noqa: S608 - names come from the schema
            dump[table] = sorted((tuple(row) for row in connection.execute(query)), key=repr)
        return dump


def journal_actions(database: Database) -> list[tuple[str, str | None, str, str | None]]:
    """Every journal entry as (name, version, action, submitted_by), oldest first."""
    with database.read() as session:
        return [
            (entry.name, entry.version, entry.action, entry.submitted_by)
            for entry in session.scalars(select(JournalEntry).order_by(JournalEntry.id))
        ]


def event_rows(database: Database) -> list[Event]:
    """Every event, oldest first (detached, safe to read after the session)."""
    with database.read() as session:
        return list(session.scalars(select(Event).order_by(Event.id)))
