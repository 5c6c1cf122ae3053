"""Driving the staging service in-process, as the routes do, for state and concurrency tests."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from sqlalchemy import select

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import User
from pypidesk.index.records import accounts
from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging import files
from pypidesk.index.staging.service import StagingService
from pypidesk.index.staging.views import FileView, SessionView
from pypidesk.index.storage import LocalFileStorage
from pypidesk.index.upload.renderer import WorkerRenderer
from tests.index.factories import make_user
from tests.index.upload.dists import Dist

# The server's real renderer, shared by every Stager; its children start on first use.
RENDERER = WorkerRenderer(
    workers=ServerSettings(data_dir=Path()).description_render_workers,
    timeout=ServerSettings(data_dir=Path()).description_render_timeout,
)


class Stager:
    """One user's requests to a :class:`StagingService`, without HTTP."""

    def __init__(self, database: Database, settings: ServerSettings, username: str = "alice"):
        self.service = StagingService(database, settings, RENDERER)
        self.storage = LocalFileStorage(settings.packages_dir)
        with database.write() as session:
            user = session.scalar(select(User).where(User.username == username))
            user = user or make_user(session, username)
            token = accounts.create_token(session, settings, user, f"staging-{username}")
        self.authorization = "Basic " + base64.b64encode(f"__token__:{token}".encode()).decode()

    def create(self, name: str = "tiny-pkg", version: str = "1.0") -> SessionView:
        return self.service.create(self.authorization, name, version)

    def add(self, session: SessionView, dist: Dist, *, data: bytes | None = None) -> FileView:
        """Create a file upload session, send the bytes, complete it."""
        body = dist.data if data is None else data
        view = self.service.create_file(
            self.authorization,
            session.token,
            filename=dist.filename,
            size=len(body),
            hashes={"sha256": hashlib.sha256(body).hexdigest()},
            mechanism="http-post-bytes",
        )
        self.service.admit_bytes(self.authorization, session.token, view.token)
        part = self.service.file_path(session.token, view.token + ".part")
        part.write_bytes(body)
        self.service.store_bytes(self.authorization, session.token, view.token, len(body))
        return files.complete(self.service, self.authorization, session.token, view.token)

    def publish(self, session: SessionView) -> SessionView:
        return files.publish(self.service, self.storage, self.authorization, session.token)

    def status(self, session: SessionView) -> SessionView:
        return self.service.status(self.authorization, session.token)
