"""The ASGI application: one function that wires settings, records and routes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from pypidesk import __version__
from pypidesk.index import api, health
from pypidesk.index.db.checkpoint import CHECKPOINT_DELAY
from pypidesk.index.db.engine import Database
from pypidesk.index.db.migrate import upgrade
from pypidesk.index.idle import trim_allocator
from pypidesk.index.read.asgi import IndexApp
from pypidesk.index.settings import ServerSettings
from pypidesk.index.upload import routes as upload_routes
from pypidesk.index.upload.startup import open_storage


def create_app(settings: ServerSettings) -> FastAPI:
    """Build the server for ``settings``; the database is migrated on start-up."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        database = Database.from_url(
            settings.resolved_database_url, checkpoint_delay=CHECKPOINT_DELAY
        )
        upgrade(database.engine, settings.data_dir)
        app.state.database = database
        app.state.storage = open_storage(settings, database)

        def release() -> None:
            index.close_read_connection()
            database.engine.dispose()
            trim_allocator()

        index.idle.start(release)
        try:
            yield
        finally:
            index.idle.stop()
            database.dispose()

    # The read routes (simple, files, JSON API, XML-RPC, project pages) answer
    # in front of FastAPI's middlewares and routing; see pypidesk.index.read.asgi.
    index = app = IndexApp(
        title="pypidesk index",
        version=__version__,
        lifespan=lifespan,
        # The interactive docs pull scripts from a CDN; the schema itself stays.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.include_router(health.router)
    app.include_router(upload_routes.router)
    api.install(app)
    return app
