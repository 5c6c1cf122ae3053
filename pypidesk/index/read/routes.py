"""The read routes as a thin ASGI layer in front of FastAPI.

Reads are nearly all of an index's traffic, so they skip FastAPI's routing,
dependency injection and response models: a request is matched by prefix, its
page's serial is checked with one indexed query, and a page rendered at that
serial is sent as stored bytes. Rendering (a cache miss) runs in a worker
thread. Anything that is not a read route goes on to the FastAPI app; the app
itself is assembled in :mod:`pypidesk.index.app`.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import anyio.to_thread
from packaging.utils import canonicalize_name

from pypidesk.index.auth.ratelimit import FailureLimiter
from pypidesk.index.db.engine import Database
from pypidesk.index.read import json_api, negotiation, project_page, simple_pages
from pypidesk.index.read.access import ReadGuard, private_send
from pypidesk.index.read.cache import PageCache
from pypidesk.index.read.files import serve_file
from pypidesk.index.read.http import (
    Page,
    Receive,
    Scope,
    Send,
    header,
    make_page,
    redirect,
    send_page,
    text_page,
)
from pypidesk.index.read.records import SerialReader, global_serial, load_project
from pypidesk.index.read.records import project_listing as listing
from pypidesk.index.settings import ServerSettings
from pypidesk.index.upstream.hook import UPSTREAM_FILES, tracks_of, upstream_file, upstream_for
from pypidesk.index.upstream.service import Upstream

ASGIApp = Callable[[Scope, Receive, Send], Any]

NOT_FOUND = text_page(404, "404 Not Found")
METHOD_NOT_ALLOWED = text_page(405, "405 Method Not Allowed", [("allow", "GET, HEAD")])
# An XML-RPC call is a few hundred bytes; refuse to buffer anything silly.
MAX_XMLRPC_BODY = 1024 * 1024
XMLRPC_PATHS = frozenset({"/pypi", "/pypi/", "/RPC2"})


class ReadService:
    """What the read side of one process holds: records, file root and page cache."""

    def __init__(
        self, database: Database, settings: ServerSettings, limiter: FailureLimiter
    ) -> None:
        self.database = database
        self.settings = settings
        self.cache = PageCache()
        self.serials = SerialReader(database.engine)
        self.packages_dir = str(settings.packages_dir)
        # Only a private index checks credentials on reads.
        self.guard = (
            ReadGuard(database, settings, limiter) if settings.require_auth_for_reads else None
        )
        # serve --upstream: names with no local project fall through to it.
        self.upstream = upstream_for(settings)
        self.tracks = tracks_of(settings)

    async def cached(
        self, key: Hashable, serial: int, render: Callable[[], tuple[int, Page]]
    ) -> Page:
        """The page for ``key`` at ``serial``, rendered (off the event loop) if needed.

        ``render`` returns the serial its data was read at, taken in the same
        transaction, so a page is never stored under a serial newer than its data.
        """
        page = self.cache.get(key, serial)
        if page is None:
            rendered_at, fresh = await anyio.to_thread.run_sync(render)
            self.cache.put(key, rendered_at, fresh)
            return fresh
        return page


def base_url(scope: Scope) -> str:
    """``scheme://host`` of the index, for absolute file URLs.

    The app has put the public URL's scheme and host into the scope
    (:mod:`pypidesk.index.serving.origin`); they never come from the client.
    """
    host = header(scope, b"host")
    if host is None:
        server_host, port = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server_host}:{port}"
    return f"{scope['scheme']}://{host}"


def _with_query(scope: Scope, location: str) -> str:
    """``location`` percent-encoded (a path may hold any character), plus the query.

    A redirect to ``/simple/☃/`` unencoded cannot be a header and answered 500
    (issue 12, finding 8).
    """
    location = urllib.parse.quote(location, safe="/")
    query = scope.get("query_string", b"")
    return f"{location}?{query.decode('latin-1')}" if query else location


class ReadSide:
    """ASGI middleware that answers the read routes and passes everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._service: ReadService | None = None

    def close_connection(self) -> None:
        if self._service is not None:
            self._service.serials.close()

    async def close_upstream(self) -> None:
        if self._service is not None and self._service.upstream is not None:
            await self._service.upstream.aclose()

    def service(self, scope: Scope) -> ReadService:
        # The database only exists once the app's lifespan has started.
        if self._service is None:
            state = scope["app"].state
            self._service = ReadService(state.database, state.settings, state.login_limiter)
        return self._service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        is_xmlrpc = method == "POST" and path in XMLRPC_PATHS
        is_file = path.startswith(("/packages/", UPSTREAM_FILES))
        handler = None if is_file or is_xmlrpc else self._match(path)
        if handler is None and not (is_file or is_xmlrpc):
            await self.app(scope, receive, send)
            return
        service = self.service(scope)
        if service.guard is not None:
            client = scope.get("client")
            refusal = await anyio.to_thread.run_sync(
                service.guard.check,
                header(scope, b"authorization"),
                path,
                client[0] if client else None,
            )
            if refusal is not None:
                await send_page(scope, send, refusal)
                return
            send = private_send(send)
        if is_xmlrpc:
            await self._xmlrpc(scope, receive, send)
        elif method not in ("GET", "HEAD"):
            await send_page(scope, send, METHOD_NOT_ALLOWED)
        elif handler is None and path.startswith(UPSTREAM_FILES):
            await upstream_file(service.upstream, scope, send, path[len(UPSTREAM_FILES) :])
        elif handler is None:
            # Files stream from disk rather than being one stored page.
            await serve_file(scope, send, service.packages_dir, path[len("/packages/") :])
        else:
            await send_page(scope, send, await handler(scope))

    def _match(self, path: str) -> Callable[[Scope], Any] | None:
        """The handler for a read route, or None to let FastAPI answer."""
        if path in ("/simple", "/simple/"):
            return self._simple_index
        if path.startswith("/simple/"):
            return self._simple_detail
        if path.startswith("/pypi/"):
            return self._json
        if path.startswith("/project/"):
            return self._project_page
        return None

    async def _simple_index(self, scope: Scope) -> Page:
        if scope["path"] == "/simple":
            return redirect(_with_query(scope, "/simple/"))
        service = self.service(scope)
        content_type = negotiation.choose(header(scope, b"accept"))
        serial = service.serials.global_serial()

        def render() -> tuple[int, Page]:
            with service.database.read() as session:
                at = global_serial(session.connection())
                return at, simple_pages.render_index(listing(session), at, content_type)

        return await service.cached(("index", content_type), serial, render)

    async def _simple_detail(self, scope: Scope) -> Page:
        segment = scope["path"][len("/simple/") :]
        if "/" not in segment:
            # Warehouse's not-found handler appends the slash.
            return redirect(_with_query(scope, f"/simple/{segment}/"))
        segment, _, rest = segment.partition("/")
        if rest:
            return NOT_FOUND
        content_type = negotiation.choose(header(scope, b"accept"))
        service = self.service(scope)
        upstream, tracks = service.upstream, service.tracks
        return await self._project_view(
            scope,
            segment,
            key=("simple", content_type),
            missing=NOT_FOUND,
            canonical=lambda project: f"/simple/{project.normalized}/",
            render=lambda project, base: simple_pages.render_detail(
                project, base, content_type, tracks=tracks(project)
            ),
            fallback=None
            if upstream is None
            else lambda name: self._upstream_detail(upstream, scope, name, content_type),
        )

    async def _upstream_detail(
        self, upstream: Upstream, scope: Scope, name: str, content_type: str
    ) -> Page:
        """A name with no local project, from the upstream (at its normalized URL)."""
        location = f"/simple/{name}/"
        if location != scope["path"]:
            return redirect(_with_query(scope, location))
        return await upstream.page(name, content_type, base_url(scope))

    async def _project_view(
        self,
        scope: Scope,
        segment: str,
        *,
        key: tuple[Hashable, ...],
        missing: Page,
        canonical: Callable[[Any], str],
        render: Callable[[Any, str], Page],
        fallback: Callable[[str], Awaitable[Page]] | None = None,
    ) -> Page:
        """Shared path of every per-project page: look up, redirect, cache, render.

        ``fallback`` answers for a name with no local project (the upstream).
        """
        service = self.service(scope)
        normalized = canonicalize_name(segment)
        found = service.serials.project_serial(normalized)
        if found is None:
            return missing if fallback is None else await fallback(normalized)
        location = canonical(_Names(found.name, normalized))
        if location != scope["path"]:
            return redirect(_with_query(scope, location))
        base = base_url(scope)

        def load() -> tuple[int, Page]:
            with service.database.read() as session:
                project = load_project(session, normalized)
                if project is None:  # deleted since the serial check
                    return -1, missing
                return project.last_serial, render(project, base)

        return await service.cached((*key, normalized, base), found.last_serial, load)

    async def _json(self, scope: Scope) -> Page:
        parts = scope["path"][len("/pypi/") :].split("/")
        slash = "/" if parts[-1] == "" and len(parts) > 1 else ""
        if slash:
            parts.pop()
        if len(parts) == 1:
            return redirect(_with_query(scope, f"/project/{parts[0]}/"))
        if parts[-1] != "json" or len(parts) > 3 or not all(parts):
            return NOT_FOUND
        version = parts[1] if len(parts) == 3 else None
        tail = f"{version}/json{slash}" if version else f"json{slash}"
        return await self._project_view(
            scope,
            parts[0],
            key=("json", version),
            missing=json_api.NOT_FOUND,
            canonical=lambda project: f"/pypi/{project.normalized}/{tail}",
            render=lambda project, base: json_api.render(project, version, base),
        )

    async def _project_page(self, scope: Scope) -> Page:
        segment = scope["path"][len("/project/") :]
        if "/" not in segment:
            return redirect(_with_query(scope, f"/project/{segment}/"))
        segment, _, rest = segment.partition("/")
        if rest:
            return NOT_FOUND
        return await self._project_view(
            scope,
            segment,
            key=("project",),
            missing=NOT_FOUND,
            # PyPI sends people to the project's display name.
            canonical=lambda project: f"/project/{project.name}/",
            render=project_page.render,
        )

    async def _xmlrpc(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_XMLRPC_BODY:
                await send_page(scope, send, text_page(413, "413 Request Entity Too Large"))
                return
            if not message.get("more_body", False):
                break
        service = self.service(scope)
        # Few clients still speak XML-RPC; its modules load on the first call.
        from pypidesk.index.read import xmlrpc  # noqa: PLC0415

        answer = await anyio.to_thread.run_sync(xmlrpc.handle, bytes(body), service.database.read)
        page = make_page(200, "text/xml", answer, etag=False, cors=False)
        await send_page(scope, send, page)


class _Names:
    """The two spellings of a project name a canonical URL may use."""

    __slots__ = ("name", "normalized")

    def __init__(self, name: str, normalized: str) -> None:
        self.name = name
        self.normalized = normalized
