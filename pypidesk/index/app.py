"""The ASGI application, assembled in this one module.

:func:`create_app` wires settings, records and routes. :class:`IndexApp` puts
the two hot paths in front of FastAPI: reads (:mod:`pypidesk.index.read.routes`)
and uploads (:func:`pypidesk.index.upload.routes.upload_endpoint`); everything
else (the maintainer API, health, the upload help page) is FastAPI's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from pypidesk import __version__
from pypidesk.index import api
from pypidesk.index.auth.ratelimit import FailureLimiter
from pypidesk.index.db.checkpoint import CHECKPOINT_DELAY
from pypidesk.index.db.engine import Database
from pypidesk.index.db.migrate import upgrade
from pypidesk.index.db.private_files import prepare_data_dir, warn_if_open
from pypidesk.index.read.http import Receive, Scope, Send, secure_send
from pypidesk.index.read.routes import ReadSide
from pypidesk.index.serving import body_limit, health
from pypidesk.index.serving.deadlines import ConnectionLimits
from pypidesk.index.serving.forwarded import TrustedProxies, parse_networks
from pypidesk.index.serving.idle import IdleReleaser, trim_allocator
from pypidesk.index.serving.origin import PublicOrigin
from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging.routes import ROOT as STAGING_ROOT
from pypidesk.index.staging.routes import staging_endpoint
from pypidesk.index.staging.service import StagingService
from pypidesk.index.staging.sweeper import sweep_forever
from pypidesk.index.upload import routes as upload_routes
from pypidesk.index.upload.gate import UploadGate
from pypidesk.index.upload.renderer import WorkerRenderer
from pypidesk.index.upload.routes import upload_endpoint
from pypidesk.index.upload.startup import open_storage

UPLOAD_PATH = "/legacy/"
LEGACY_WITHOUT_SLASH = "/legacy"


class IndexApp(FastAPI):
    """FastAPI with the read side and the upload endpoint in front of it.

    A read or an upload then costs none of FastAPI's per-request work (its
    middlewares, routing, telemetry checks); everything else passes through
    unchanged.
    """

    def __init__(self, settings: ServerSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._read_side = ReadSide(self._call_fastapi)
        self.idle = IdleReleaser()
        # What serving.deadlines.DeadlineHttpProtocol finds on the app it serves.
        self.connection_limits = ConnectionLimits(
            header_timeout=settings.header_timeout, body_timeout=settings.body_timeout
        )
        self._origin = PublicOrigin(settings.public_url)
        networks = parse_networks(settings.trusted_proxies)
        self._proxies = TrustedProxies(networks) if networks else None

    async def _call_fastapi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = secure_send(send)
            # ``POST /legacy`` (no slash) carries a whole upload, which its
            # route drops unparsed before the redirect twine prints.
            if scope["path"] != LEGACY_WITHOUT_SLASH:
                if body_limit.declared_too_large(scope):
                    await body_limit.refuse(send)
                    return
                receive = body_limit.bounded_receive(receive)
        await FastAPI.__call__(self, scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # What Starlette would set; the read side finds the app's state there.
        scope["app"] = self
        if scope["type"] != "http":
            await self._read_side(scope, receive, send)
            return
        # Before any route reads them: the client behind trusted proxies, and
        # the public scheme and host in place of whatever the client sent.
        if self._proxies is not None:
            self._proxies.rewrite(scope)
        self._origin.apply(scope)
        self.idle.begin()
        try:
            if scope["method"] == "POST" and scope["path"] == UPLOAD_PATH:
                await upload_endpoint(scope, receive, secure_send(send))
            elif scope["path"].startswith(STAGING_ROOT):
                await staging_endpoint(scope, receive, secure_send(send))
            else:
                await self._read_side(scope, receive, send)
        finally:
            self.idle.end()

    async def close_upstream(self) -> None:
        """Close the upstream's HTTP client (``serve --upstream``), if one was opened."""
        await self._read_side.close_upstream()

    def close_read_connection(self) -> None:
        """Close the read side's serial-check connection (reopened on the next read)."""
        self._read_side.close_connection()


def create_app(settings: ServerSettings) -> FastAPI:
    """Build the server for ``settings``; the database is migrated on start-up."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prepare_data_dir(settings.data_dir)
        warn_if_open(settings.data_dir)
        database = Database.from_url(
            settings.resolved_database_url, checkpoint_delay=CHECKPOINT_DELAY
        )
        upgrade(database.engine, settings.data_dir)
        app.state.database = database
        app.state.storage = open_storage(settings, database)
        purger = None
        if settings.purge_urls or settings.purge_path_urls:
            # httpx (half a second to import, megabytes) only where proxies are purged.
            from pypidesk.index.serving.purge import Purger  # noqa: PLC0415

            purger = Purger(settings.purge_urls, settings.purge_path_urls)
            database.on_commit = purger.after_commit
        renderer = app.state.description_renderer = WorkerRenderer(
            workers=settings.description_render_workers,
            timeout=settings.description_render_timeout,
        )
        # PEP 694 sessions: expired ones and leftovers of crashed publishes go
        # now, then every minute.
        app.state.staging = StagingService(database, settings, renderer)
        sweeper = asyncio.create_task(sweep_forever(app.state.staging))

        def release() -> None:
            index.close_read_connection()
            database.engine.dispose()
            trim_allocator()

        index.idle.start(release)
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            index.idle.stop()
            database.on_commit = None
            if purger is not None:
                purger.close()
            await index.close_upstream()
            renderer.close()
            database.dispose()

    # The read routes (simple, files, JSON API, XML-RPC, project pages) answer
    # in front of FastAPI's middlewares and routing; see IndexApp below.
    index = app = IndexApp(
        settings,
        title="pypidesk index",
        version=__version__,
        lifespan=lifespan,
        # The interactive docs pull scripts from a CDN; the schema itself stays.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    # Password tries, counted alike on sign-in, the API, uploads and private reads.
    app.state.login_limiter = FailureLimiter()
    app.state.upload_gate = UploadGate(settings.max_concurrent_uploads)
    app.include_router(health.router)
    app.include_router(upload_routes.router)
    api.install(app)
    return app
