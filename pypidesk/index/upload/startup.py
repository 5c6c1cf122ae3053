"""Opening the file store at start-up, finishing or removing what a crash left."""

from __future__ import annotations

from sqlalchemy import select

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import File
from pypidesk.index.settings import ServerSettings
from pypidesk.index.storage import LocalFileStorage


def open_storage(settings: ServerSettings, database: Database) -> LocalFileStorage:
    """The process's file store, swept of the temp files of crashed uploads."""
    storage = LocalFileStorage(settings.packages_dir)

    def committed_path(blake2: str) -> str | None:
        with database.read() as session:
            return session.scalar(select(File.path).where(File.blake2_256_digest == blake2))

    storage.sweep(committed_path)
    return storage
