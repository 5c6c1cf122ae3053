"""Bring a database to the newest schema, safely from several processes at once.

``serve``, its workers and every ``admin`` command call :func:`upgrade` on
start, so a new data dir works whichever of them runs first. A lock file in
the data dir serialises them: SQLite cannot run two migrations at once, and
two workers of one PostgreSQL deployment should not either.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
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
        command.upgrade(alembic_config(engine), "head")
