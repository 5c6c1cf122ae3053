"""Staged publishing (PEP 694 draft sessions) behind the page's :class:`~.upload.Publisher` seam.

Where the index offers publishing sessions, the files go into one session
first: nobody sees them until :meth:`StagedPublisher.release` publishes the
whole release at once, and :meth:`StagedPublisher.discard` leaves nothing.
Between the two, the session's stage preview is an index URL pip installs from
(Try it). Where the index has no sessions (PyPI today, pypiserver), the page
keeps the legacy, file-by-file upload; :func:`offers_sessions` tells which.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

import httpx

from pypidesk.client.errors import ClientError
from pypidesk.client.profiles import Profile
from pypidesk.client.staging import UPLOAD_TYPE, StagingClient, StagingSession
from pypidesk.publish.distfile import DistInfo
from pypidesk.publish.upload import Outcome, Progress, ProgressSink

#: Where the bundled index serves the draft; the draft leaves the root to the operator.
STAGING_PATH = "upload/2.0-draft/"
#: A probe is one small request: an index that does not answer quickly is treated as legacy.
PROBE_TIMEOUT = httpx.Timeout(10.0)


def staging_root(profile: Profile) -> str:
    """The Upload 2.0 root endpoint of ``profile``'s index (beside ``/simple/``)."""
    return profile.base_url + STAGING_PATH


async def offers_sessions(http: httpx.AsyncClient, root_url: str) -> bool:
    """Whether ``root_url`` is an Upload 2.0 root endpoint, without creating anything.

    The draft defines the root endpoint as the URL sessions are created at
    (``POST``) and negotiates its content type; it has no discovery document.
    So the probe is a ``GET`` asking for the upload media type: an index with
    sessions answers "405, Allow: POST" there (or the media type itself), an
    index without them answers 404 or its own HTML page. Any failure to ask
    counts as "no sessions": the legacy upload then works as it always did.
    """
    try:
        response = await http.get(
            root_url,
            headers={"Accept": UPLOAD_TYPE},
            timeout=PROBE_TIMEOUT,
            follow_redirects=False,
        )
    except httpx.HTTPError:
        return False
    if response.status_code == httpx.codes.METHOD_NOT_ALLOWED:
        allowed = {m.strip().upper() for m in response.headers.get("allow", "").split(",")}
        return "POST" in allowed
    content_type = response.headers.get("content-type", "")
    return response.is_success and content_type.startswith(UPLOAD_TYPE)


class StagedPublisher:
    """Stages files in one publishing session; :meth:`release` makes them public together.

    The page calls :meth:`publish` once per file (as it does for the legacy
    upload); the first call creates the session (or joins the live one for
    that release), the next ones add to it. Cancel or a refusal discards the
    whole session, so a half-staged release never lingers on the index.
    """

    all_at_once = True

    def __init__(self, staging: StagingClient) -> None:
        self.staging = staging
        self.session: StagingSession | None = None

    @property
    def stage_url(self) -> str | None:
        """The stage preview's index URL (for Try it), once something is staged."""
        return None if self.session is None else self.session.stage_url

    async def publish(self, files: Sequence[DistInfo], on_progress: ProgressSink) -> list[Outcome]:
        """Stage ``files`` (all of one release) in the session, with progress per file."""
        outcomes = []
        try:
            for index, dist in enumerate(files):
                if self.session is None:
                    self.session = await self.staging.create(dist.name, dist.version)
                await self._stage_one(self.session, dist, index, len(files), on_progress)
                outcomes.append(Outcome.STAGED)
        except BaseException:
            # The failure is what the user must see; an index that cannot discard
            # now lets the session expire on its own.
            with contextlib.suppress(ClientError):
                await self.discard()
            raise
        return outcomes

    async def _stage_one(
        self,
        session: StagingSession,
        dist: DistInfo,
        index: int,
        count: int,
        on_progress: ProgressSink,
    ) -> None:
        started = time.monotonic()

        def progress(sent: int, total: int) -> None:
            on_progress(Progress(dist, index, count, sent, total, time.monotonic() - started))

        await self.staging.upload(session, dist.path, progress=progress)

    async def release(self) -> StagingSession:
        """Publish the session: every staged file becomes public at once."""
        if self.session is None:
            raise RuntimeError("nothing is staged")  # the page offers Publish only after staging
        published = await self.staging.publish(self.session)
        self.session = None
        return published

    async def discard(self) -> None:
        """Cancel the session; the index keeps none of its files (nothing to do if none).

        Shielded: a Cancel that lands while the index is asked to discard must
        not leave the session half-discarded behind.
        """
        session, self.session = self.session, None
        if session is not None:
            await asyncio.shield(self.staging.cancel(session))
