"""Bring a database to the newest schema, safely from several processes at once.

``serve``, its workers and every ``admin`` command call :func:`upgrade` on
start, so a new data dir works whichever of them runs first. A lock file in
the data dir serialises them: SQLite cannot run two migrations at once, and
two workers of one PostgreSQL deployment should not either.

Alembic is imported only when a migration is due: it and what it loads
(mako, pygments, every dialect's DDL) would otherwise stay in each server
process's memory, about 11 MB, for a check that usually finds nothing to do.
Whether the database is at the newest revision is read from the migration
files directly; anything unexpected there leaves the decision to Alembic.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"""^revision(?:\s*:[^=]*)?\s*=\s*["']([^"']+)["']\s*$""", re.MULTILINE)
_DOWN_REVISION = re.compile(
    r"""^down_revision(?:\s*:[^=]*)?\s*=\s*(?:["']([^"']+)["']|None)\s*$""", re.MULTILINE
)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # noqa: PLC0415 - see the module docstring

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine, lock_dir: Path) -> None:
    """Apply every pending migration to ``engine``'s database."""
    with _exclusive(lock_dir / ".migrate.lock"):
        head = head_revision(MIGRATIONS / "versions")
        if head is not None and _current_revisions(engine) == [head]:
            return
        from alembic import command  # noqa: PLC0415 - see the module docstring

        command.upgrade(alembic_config(engine), "head")


@functools.cache
def head_revision(versions: Path) -> str | None:
    """The one newest revision in ``versions``, or None where that is not plain to see.

    Each migration file must name exactly one revision and one (or no)
    parent; a file that does not, a merge or a branch make this None.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.findall(source)
        down = _DOWN_REVISION.findall(source)
        if len(found) != 1 or len(down) != 1:
            return None
        revisions.add(found[0])
        parents.add(down[0])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _current_revisions(engine: Engine) -> list[str]:
    """The revisions recorded in the database; empty before the first migration."""
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text("SELECT version_num FROM alembic_version")))
    except DBAPIError:
        return []
