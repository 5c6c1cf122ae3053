"""Fall-through to an upstream index (``serve --upstream``): pages and files of names not ours.

The read side asks this only for a name that has no local project, so a
local project is never mixed with the upstream's files (the dependency
confusion that PEP 708 is about). A page is fetched when it is not fresh by
the upstream's own ``Cache-Control`` (revalidated with its ``ETag``), kept
in the data dir, and served from there while fresh, and served stale when
the upstream is down. Files are fetched on their first request, their
sha256 checked against the page's, and kept beside the pages.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import os
import secrets
import socket
import time
from pathlib import Path

import httpx

from pypidesk.index.read.files import serve_file
from pypidesk.index.read.http import Page, Scope, Send, send_page, text_page
from pypidesk.index.settings import ServerSettings
from pypidesk.index.upstream.pages import (
    ACCEPT,
    PageStore,
    UpstreamProject,
    max_age,
    parse_page,
)
from pypidesk.index.upstream.render import render

logger = logging.getLogger(__name__)

NOT_FOUND = text_page(404, "404 Not Found")
UNAVAILABLE = text_page(502, "502 Bad Gateway: the upstream index did not answer")
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
CHUNK = 1024 * 1024
# Requests go out at once, without Nagle's delay.
SOCKET_OPTIONS = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


class FileRefused(Exception):  # noqa: N818 - the upstream's file is not served
    """The upstream's file could not be fetched, or its bytes do not match its sha256."""


class Upstream:
    """The upstream of one server process: its HTTP client, pages and files."""

    def __init__(self, settings: ServerSettings, url: str) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.pages = PageStore(settings.upstream_dir / "pages")
        self.files_dir = settings.upstream_dir / "files"
        self.tmp_dir = self.files_dir / ".tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self._files_root = str(self.files_dir)
        self._client: httpx.AsyncClient | None = None
        self._projects: dict[str, UpstreamProject] = {}
        self._rendered: dict[tuple[str, str, str], tuple[float, Page]] = {}

    @property
    def client(self) -> httpx.AsyncClient:
        # Made on first use, inside the server's event loop.
        if self._client is None:
            transport = httpx.AsyncHTTPTransport(socket_options=SOCKET_OPTIONS)
            self._client = httpx.AsyncClient(
                timeout=TIMEOUT, follow_redirects=True, transport=transport
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def tracks(self, name: str) -> str:
        """The upstream's URL of project ``name``: what PEP 708's ``tracks`` names."""
        return f"{self.url}{name}/"

    def _known(self, name: str) -> UpstreamProject | None:
        project = self._projects.get(name)
        if project is None:
            project = self.pages.load(name)
            if project is not None:
                self._projects[name] = project
        return project

    async def page(self, name: str, content_type: str, base: str) -> Page:
        """``/simple/<name>/`` of a name with no local project, from the upstream."""
        now = time.time()
        project = self._known(name)
        if project is None or not project.fresh(now):
            refreshed = await self._refresh(name, project)
            if refreshed is None:
                return NOT_FOUND
            if isinstance(refreshed, Page):
                return refreshed
            project = refreshed
        key = (name, content_type, base)
        cached = self._rendered.get(key)
        # A page says how long it stays fresh and whether it is stale: rendered anew
        # when the stored page changed or its freshness did.
        stamp = project.fetched if project.fresh(now) else -project.fetched
        if cached is not None and cached[0] == stamp:
            return cached[1]
        page = render(project, base, content_type, now=now)
        self._rendered[key] = (stamp, page)
        return page

    async def _refresh(
        self, name: str, stored: UpstreamProject | None
    ) -> UpstreamProject | Page | None:
        """Ask the upstream; the stored page when it is down; None when it has no such name."""
        headers = {"Accept": ACCEPT}
        if stored is not None and stored.etag:
            headers["If-None-Match"] = stored.etag
        url = self.tracks(name)
        try:
            response = await self.client.get(url, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("upstream %s did not answer (%s); serving what is kept", url, exc)
            return stored or UNAVAILABLE
        if response.status_code == 304 and stored is not None:
            # Unchanged: the kept page is fresh again, by the upstream's new headers.
            project = dataclasses.replace(
                stored,
                fetched=time.time(),
                max_age=max_age(response.headers.get("cache-control")),
                etag=response.headers.get("etag", stored.etag),
            )
        elif response.status_code == 404:
            self._forget(name)
            return None
        elif response.status_code != 200:
            logger.warning(
                "upstream %s answered %s; serving what is kept", url, response.status_code
            )
            return stored or UNAVAILABLE
        else:
            project = parse_page(
                name,
                str(response.url),
                body=response.content,
                content_type=response.headers.get("content-type", ""),
                headers=dict(response.headers),
            )
        self._projects[name] = project
        # Kept for other workers and restarts; the answer need not wait for the disk.
        saving = asyncio.get_running_loop().run_in_executor(None, self.pages.save, project)
        saving.add_done_callback(_log_failure)
        return project

    def _forget(self, name: str) -> None:
        self._projects.pop(name, None)
        self.pages.forget(name)

    async def serve_file(self, scope: Scope, send: Send, relative: str) -> None:
        """``/upstream/<name>/<sha256 path>/<filename>``: kept, or fetched and checked first."""
        name, _, rest = relative.partition("/")
        stored = f"{self._files_root}/{rest}"
        if not os.path.isfile(stored):  # noqa: ASYNC240, PTH113 - local, microseconds
            parts = rest.split("/")
            project = self._known(name)
            entry = None
            if project is not None and len(parts) == 4:  # aa/bb/rest/filename
                entry = project.file("".join(parts[:3]), parts[3])
            if entry is None:
                await send_page(scope, send, NOT_FOUND)
                return
            try:
                await self._fetch(entry.url, entry.sha256, Path(stored))
            except FileRefused as exc:
                logger.warning("upstream file %s refused: %s", entry.url, exc)
                await send_page(scope, send, UNAVAILABLE)
                return
        await serve_file(scope, send, self._files_root, rest)

    async def _fetch(self, url: str, sha256: str, target: Path) -> None:
        """Download ``url`` to ``target`` if its sha256 matches; nothing is left otherwise."""
        temporary = self.tmp_dir / f"{sha256}.{secrets.token_hex(8)}"
        digest = hashlib.sha256()
        try:
            with temporary.open("wb") as handle:
                async with self.client.stream("GET", url) as response:
                    if response.status_code != 200:
                        raise FileRefused(f"the upstream answered {response.status_code}")
                    async for chunk in response.aiter_bytes(CHUNK):
                        digest.update(chunk)
                        handle.write(chunk)
            if digest.hexdigest() != sha256:
                raise FileRefused(f"its sha256 is {digest.hexdigest()}, the page said {sha256}")
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary.replace(target)
        except httpx.HTTPError as exc:
            raise FileRefused(str(exc)) from exc
        finally:
            temporary.unlink(missing_ok=True)


def _log_failure(saving: asyncio.Future[None]) -> None:
    """A page that could not be kept is fetched again next time; the operator hears of it."""
    if not saving.cancelled() and saving.exception() is not None:
        logger.warning("could not keep an upstream page: %s", saving.exception())
