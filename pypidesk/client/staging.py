"""Staged releases (PEP 694 draft, "Upload 2.0"): stage files, preview them, publish them at once.

The small API the desktop app's publish flow uses::

    async with httpx.AsyncClient() as http:
        staging = StagingClient(http, "http://127.0.0.1:8000/upload/2.0-draft/", token)
        session = await staging.create("spam", "1.0")
        for path in dist_files:
            await staging.upload(session, path, progress=lambda done, total: ...)
        print(session.stage_url)            # pip install --index-url <this> spam
        await staging.publish(session)      # or: await staging.cancel(session)

It follows the ``links`` of the server's answers, never builds URLs of its
own, and raises the client's errors (:mod:`pypidesk.client.errors`) carrying
the index's problem text.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from pypidesk.client.http import error_for, send

UPLOAD_TYPE = "application/vnd.pypi.upload.v2+json"
META = {"api-version": "2.0"}
MECHANISM = "http-post-bytes"
CHUNK = 256 * 1024

# ``progress(sent, total)``: bytes of the file sent so far, and its size.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StagedFile:
    """One file of a session, as the session's ``files`` mapping reports it."""

    filename: str
    status: str
    link: str
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class StagingSession:
    """A publishing session: ``status`` is ``open``, ``processing``, ``published``,
    ``error`` or ``canceled``, as the draft names them."""

    url: str
    token: str
    status: str
    expires_at: dt.datetime
    links: dict[str, str]
    files: dict[str, StagedFile] = field(default_factory=dict)
    notices: tuple[str, ...] = ()

    @property
    def stage_url(self) -> str | None:
        """The preview index URL (for ``pip install --index-url``), if the index offers one."""
        return self.links.get("stage")

    @property
    def is_editable(self) -> bool:
        return self.status in ("open", "error")


def _session(data: dict[str, Any]) -> StagingSession:
    links = {str(k): str(v) for k, v in data["links"].items()}
    files = {
        name: StagedFile(name, info["status"], info["link"], tuple(info.get("notices", ())))
        for name, info in data.get("files", {}).items()
    }
    return StagingSession(
        url=links["session"],
        token=str(data.get("session-token", "")),
        status=str(data["status"]),
        expires_at=dt.datetime.fromisoformat(data["expires-at"].replace("Z", "+00:00")),
        links=links,
        files=files,
        notices=tuple(data.get("notices", ())),
    )


def _size_and_sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


class StagingClient:
    """Publishing sessions on one index, as one principal (an API token)."""

    def __init__(self, http: httpx.AsyncClient, root_url: str, token: str) -> None:
        self._http = http
        self.root_url = root_url
        basic = base64.b64encode(f"__token__:{token}".encode()).decode()
        self._auth = {"Authorization": f"Basic {basic}", "Accept": UPLOAD_TYPE}

    async def _post(
        self, url: str, data: dict[str, Any] | None = None, *, expect: tuple[int, ...]
    ) -> httpx.Response:
        headers = {**self._auth, "Content-Type": UPLOAD_TYPE}
        body = {"meta": META, **(data or {})}
        return await send(self._http, "POST", url, expect=expect, json=body, headers=headers)

    async def create(self, name: str, version: str, *, join: bool = True) -> StagingSession:
        """A new session for ``name`` ``version``; with ``join``, the live one if there is one."""
        response = await self._post(
            self.root_url, {"name": name, "version": version}, expect=(201, 409)
        )
        if response.status_code == 409:
            location = response.headers.get("location")
            if not join or location is None:
                raise error_for(response)
            return await self.status(location)
        return _session(response.json())

    async def status(self, session: StagingSession | str) -> StagingSession:
        """The session's current state (``session`` or its status URL)."""
        url = session if isinstance(session, str) else session.url
        response = await send(self._http, "GET", url, headers=self._auth)
        return _session(response.json())

    async def extend(self, session: StagingSession, seconds: int) -> StagingSession:
        response = await self._post(
            session.links["extend"], {"extend-for": seconds}, expect=(200,)
        )
        return _session(response.json())

    async def upload(
        self, session: StagingSession, path: Path, *, progress: Progress | None = None
    ) -> StagedFile:
        """Stage one file: announce it, send its bytes (reporting progress), complete it."""
        size, digest = await asyncio.to_thread(_size_and_sha256, path)
        created = await self._post(
            session.links["upload"],
            {
                "filename": path.name,
                "size": size,
                "hashes": {"sha256": digest},
                "mechanism": MECHANISM,
            },
            expect=(202,),
        )
        file_session = created.json()
        await send(
            self._http,
            "POST",
            file_session["mechanism"]["file_url"],
            expect=(200, 201, 204),
            content=_chunks(path, size, progress),
            headers={
                **self._auth,
                "Content-Type": "application/octet-stream",
                "Content-Length": str(size),
            },
        )
        done = await self._post(file_session["links"]["complete"], expect=(201, 202))
        data = done.json()
        return StagedFile(
            path.name,
            str(data["status"]),
            file_session["links"]["file-upload-session"],
            tuple(data.get("notices", ())),
        )

    async def remove(self, staged: StagedFile) -> None:
        """Cancel a file's upload, or take a completed file out of the session."""
        await send(self._http, "DELETE", staged.link, expect=(204,), headers=self._auth)

    async def publish(self, session: StagingSession) -> StagingSession:
        """Make every file of the session public at once."""
        response = await self._post(session.links["publish"], expect=(201, 202))
        return _session(response.json())

    async def cancel(self, session: StagingSession) -> None:
        """Discard the session and every staged file."""
        await send(self._http, "DELETE", session.url, expect=(204,), headers=self._auth)


async def _chunks(path: Path, size: int, progress: Progress | None) -> AsyncIterator[bytes]:
    sent = 0
    # Reads of a local file, 256 KiB at a time, between sends: not worth a thread each.
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk
            sent += len(chunk)
            if progress is not None:
                progress(sent, size)
