"""Fixtures for the upload service: a store, a user (the database is tests/index's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import File, JournalEntry, Project, Release, User
from pypidesk.index.settings import ServerSettings
from pypidesk.index.storage import LocalFileStorage
from pypidesk.index.upload.multipart import ReceivedForm
from pypidesk.index.upload.renderer import WorkerRenderer
from pypidesk.index.upload.service import Uploader, UploadResult, store_upload
from tests.index.factories import make_user
from tests.index.upload.dists import Dist


@pytest.fixture
def storage(server_settings: ServerSettings) -> LocalFileStorage:
    return LocalFileStorage(server_settings.packages_dir)


def add_user(database: Database, username: str = "alice") -> User:
    with database.write() as session:
        return make_user(session, username)


class Uploads:
    """Runs the upload service the way the endpoint does, minus HTTP."""

    def __init__(
        self,
        database: Database,
        settings: ServerSettings,
        storage: LocalFileStorage,
        renderer: WorkerRenderer,
    ):
        self.database = database
        self.settings = settings
        self.storage = storage
        self.renderer = renderer
        self.user = add_user(database)
        self.scope_checks: list[str] = []

    def received(
        self,
        dist: Dist,
        fields: dict[str, list[str]] | None = None,
        *,
        filename: str | None = None,
        content_type: str | None = "application/octet-stream",
        data: bytes | None = None,
        with_file: bool = True,
    ) -> ReceivedForm:
        form = ReceivedForm(fields=dist.form() if fields is None else fields)
        if with_file:
            form.content = self.storage.incoming(self.settings.max_file_size)
            form.content.write(dist.data if data is None else data)
            form.filename = dist.filename if filename is None else filename
            form.content_type = content_type
        return form

    def upload(
        self,
        dist: Dist,
        fields: dict[str, list[str]] | None = None,
        *,
        user: User | None = None,
        **kwargs: object,
    ) -> UploadResult:
        received = self.received(dist, fields, **kwargs)  # type: ignore[arg-type]
        uploader_user = user or self.user

        def identify(session: object) -> Uploader:
            return Uploader(uploader_user, lambda project: self.scope_checks.append(project.name))

        try:
            return store_upload(self.database, self.settings, received, identify, self.renderer)
        finally:
            received.discard()

    def counts(self) -> tuple[int, int, int, int]:
        with self.database.read() as session:
            return tuple(  # type: ignore[return-value]
                session.scalar(select(func.count()).select_from(model))
                for model in (Project, Release, File, JournalEntry)
            )

    def stored_files(self) -> list[Path]:
        return sorted(p for p in self.storage.root.rglob("*") if p.is_file())


@pytest.fixture
def uploads(
    database: Database,
    server_settings: ServerSettings,
    storage: LocalFileStorage,
    description_renderer: WorkerRenderer,
) -> Uploads:
    return Uploads(database, server_settings, storage, description_renderer)
