"""Sending checked files to an index: the :class:`Publisher` seam and the legacy upload.

The Publish page talks to a :class:`Publisher` only. :class:`LegacyPublisher`
uploads file by file to ``/legacy/`` as twine does, so each file is public as
soon as it is sent (:attr:`Publisher.all_at_once` is False and the page says
so). A staged publisher (PEP 694 sessions) implements the same protocol with
``all_at_once = True``: the files go into a session and appear together.

The form is twine's: :class:`twine.package.PackageFile` reads the metadata and
digests, and twine's own conversion turns them into the form's fields, so the
index stores what it would store from ``twine upload``. The transfer is httpx
async streaming (:mod:`.multipart`), with progress and Cancel.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import time
from collections.abc import Callable, Sequence
from typing import Protocol

import httpx

from pypidesk.client.errors import IndexUnreachableError
from pypidesk.client.http import server_message
from pypidesk.client.index_client import TOKEN_USERNAME
from pypidesk.publish.distfile import DistInfo, form_fields, package_file
from pypidesk.publish.errors import ChangedFileError, UploadRefusedError
from pypidesk.publish.multipart import MultipartForm

#: The index may take long to answer after the last byte (it hashes and unpacks the file).
UPLOAD_TIMEOUT = httpx.Timeout(300.0, connect=15.0)


class Outcome(enum.Enum):
    UPLOADED = "uploaded"
    #: The index already had it (skip-existing, as twine decides it).
    SKIPPED = "skipped"
    #: In a publishing session: nobody sees it until the session is published.
    STAGED = "staged"


@dataclasses.dataclass(frozen=True, slots=True)
class Progress:
    """Where the upload of one file stands; the page shows bytes, speed and overall progress."""

    dist: DistInfo
    index: int
    count: int
    sent: int
    total: int
    seconds: float

    @property
    def speed(self) -> float:
        """Bytes per second so far (0 before the first tick)."""
        return self.sent / self.seconds if self.seconds > 0 else 0.0


ProgressSink = Callable[[Progress], None]


class Publisher(Protocol):
    """Sends files to one index; the page neither knows nor cares how."""

    #: True when the release appears at once (a staged session), False file by file.
    all_at_once: bool

    async def publish(
        self, files: Sequence[DistInfo], on_progress: ProgressSink
    ) -> list[Outcome]: ...


def credentials(username: str | None, token: str | None) -> httpx.BasicAuth | None:
    """Basic auth as twine sends it: a ``pypi-`` token always goes as ``__token__``."""
    if token is None:
        return None
    if token.startswith("pypi-") or not username:
        return httpx.BasicAuth(TOKEN_USERNAME, token)
    return httpx.BasicAuth(username, token)  # a password on an index that still takes them


def upload_form(dist: DistInfo) -> list[tuple[str, str]]:
    """The form's fields for ``dist`` (blocking if the file must be read again).

    The fields read at the check are used as long as the file is untouched
    (same size and modification time), so a 100 MB wheel is hashed once, as
    twine hashes it once. A touched file is read again; other bytes than the
    ones that were checked raise ChangedFileError.
    """
    stat = dist.path.stat()
    if dist.fields and (stat.st_size, stat.st_mtime_ns) == (dist.size, dist.mtime_ns):
        return list(dist.fields)
    package = package_file(dist.path)
    if package.sha2_digest != dist.sha256:
        raise ChangedFileError(dist.filename)
    return form_fields(package)


def is_already_there(status_code: int, message: str) -> bool:
    """twine's ``--skip-existing`` rule: 409, or a 400 that says it already exists."""
    return status_code == httpx.codes.CONFLICT or (
        status_code == httpx.codes.BAD_REQUEST and "already exist" in message.lower()
    )


_HINTS: tuple[tuple[Callable[[int, str], bool], str], ...] = (
    (
        lambda status, _text: 300 <= status < 400,  # a redirect
        "The upload address redirects. Use the index's upload URL itself "
        "(for PyPI-like indexes it ends in /legacy/, with the trailing slash).",
    ),
    (
        lambda status, text: "already exist" in text or status == httpx.codes.CONFLICT,
        "An index never takes other bytes under a file name it has seen. Bump the "
        "version in your project, build again and publish the new files.",
    ),
    (
        lambda _status, text: "allowed to upload" in text,
        "Sign in as an owner or maintainer of this project, or ask an owner to "
        "invite you; a project-scoped token must name this project.",
    ),
    (
        lambda status, _text: status in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN),
        "Sign in again from the toolbar, or sign in with a token that may upload.",
    ),
    (
        lambda _status, text: "version" in text,
        "Use a PEP 440 version (like 1.2.0) without a local part, then build again.",
    ),
    (
        lambda status, _text: status >= httpx.codes.INTERNAL_SERVER_ERROR,
        "The index had a problem of its own. Try again later.",
    ),
)


def hint_for(status_code: int, message: str) -> str:
    """The one next step for a refusal, from the index's own words."""
    text = message.lower()
    for applies, hint in _HINTS:
        if applies(status_code, text):
            return hint
    return "Fix what the index says, build again if needed, and publish again."


class LegacyPublisher:
    """twine's upload, file by file, to a PyPI-compatible ``/legacy/`` URL."""

    all_at_once = False

    def __init__(
        self,
        http: httpx.AsyncClient,
        upload_url: str,
        *,
        username: str | None = None,
        token: str | None = None,
        skip_existing: bool = False,
    ) -> None:
        self.http = http
        self.upload_url = upload_url
        self.skip_existing = skip_existing
        self._auth = credentials(username, token)

    async def publish(self, files: Sequence[DistInfo], on_progress: ProgressSink) -> list[Outcome]:
        """Upload each file in turn; the first refusal stops (UploadRefusedError).

        Cancelling the task drops the connection mid-body: the index keeps
        nothing of that file (the earlier ones are already public).
        """
        outcomes = []
        for index, dist in enumerate(files):
            outcomes.append(await self.upload_one(dist, index, len(files), on_progress))
        return outcomes

    async def upload_one(
        self, dist: DistInfo, index: int, count: int, on_progress: ProgressSink
    ) -> Outcome:
        fields = await asyncio.to_thread(upload_form, dist)
        form = MultipartForm(fields, "content", dist.path)
        started = time.monotonic()
        sent = 0

        def count_sent(n: int) -> None:
            nonlocal sent
            sent += n
            on_progress(
                Progress(dist, index, count, sent, form.length, time.monotonic() - started)
            )

        try:
            response = await self.http.post(
                self.upload_url,
                content=form.body(count_sent),
                headers={
                    "Content-Type": form.content_type,
                    "Content-Length": str(form.length),
                },
                auth=self._auth or httpx.USE_CLIENT_DEFAULT,
                timeout=UPLOAD_TIMEOUT,
                # twine refuses to follow redirects: a redirected POST loses its body.
                follow_redirects=False,
            )
        except httpx.TransportError as exc:
            raise IndexUnreachableError(self.upload_url, str(exc) or type(exc).__name__) from exc
        if response.status_code == httpx.codes.OK:
            return Outcome.UPLOADED
        message = server_message(response)
        if self.skip_existing and is_already_there(response.status_code, message):
            return Outcome.SKIPPED
        raise UploadRefusedError(
            dist.filename,
            response.status_code,
            message,
            hint_for(response.status_code, message),
        )
