"""Reads on a private index (``serve --require-auth-for-reads``).

pip and uv send the credentials of an index URL (``https://user:pass@host/simple/``,
``__token__`` and an API token, keyring or netrc) with every request, and ask
for them after a 401 carrying ``WWW-Authenticate: Basic``. Any active account's
password, or an API token, may read: an account-wide token reads everything, a
project-scoped token reads its projects' pages and files, as its caveats say.

Checking a password costs an argon2 hash (tens of milliseconds) and a token
check writes ``last_used``, so a successful check is remembered for
:data:`REMEMBER_SECONDS` per credential and project: a revoked token or a
changed password stops reading within that time.

Password tries are limited as sign-in is (10 failures in 5 minutes per account
and per client address, :mod:`pypidesk.index.auth.ratelimit`), counted before
the hash is checked; over the limit, reads get PyPI's 429 until the window
passes. Without it a private index could be guessed at as fast as argon2 runs
(issue 12, finding 5). Tokens are not counted: they cannot be guessed.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from packaging.utils import canonicalize_name
from sqlalchemy import Connection, select

from pypidesk.index.auth.identity import (
    TOKEN_USERNAME,
    authenticate,
    check_token,
    presented_credentials,
)
from pypidesk.index.auth.ratelimit import (
    TOO_MANY_FAILURES,
    FailureLimiter,
    PasswordTry,
    RateLimitedError,
)
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import File, Project, Release
from pypidesk.index.errors import RefusedError
from pypidesk.index.read.http import Message, Page, Send, text_page
from pypidesk.index.settings import ServerSettings

REMEMBER_SECONDS = 30.0
_MAX_REMEMBERED = 10_000
_REALM = 'Basic realm="pypidesk"'


def unauthorized(message: str) -> Page:
    """401 with the challenge pip and uv answer with credentials; the reason as text."""
    return text_page(401, f"401 Unauthorized\n\n{message}\n", [("www-authenticate", _REALM)])


def too_many_failures(retry_after: int) -> Page:
    """PyPI's answer once a password has failed too often: 429, and when to try again."""
    return text_page(
        429, f"429 Too Many Requests\n\n{TOO_MANY_FAILURES}\n", [("retry-after", str(retry_after))]
    )


def _password_username(settings: ServerSettings, authorization: str) -> str | None:
    """The account a Basic password header names; None for tokens and anything else."""
    try:
        found = presented_credentials(settings, authorization, allow_password=True)
    except RefusedError:
        return None
    if isinstance(found, tuple) and found[0] != TOKEN_USERNAME:
        return found[0]
    return None


def project_of_path(connection: Connection, path: str) -> str | None:
    """The normalized project name a read path belongs to; None for index-wide reads."""
    for prefix in ("/simple/", "/project/", "/pypi/"):
        if path.startswith(prefix):
            return canonicalize_name(path[len(prefix) :].partition("/")[0]) or None
    if path.startswith("/packages/"):
        stored = path[len("/packages/") :].removesuffix(".metadata")
        return connection.scalar(
            select(Project.normalized_name)
            .join(Release, Release.project_id == Project.id)
            .join(File, File.release_id == Release.id)
            .where(File.path == stored)
        )
    return None


class ReadGuard:
    """Decides whether a request may read, remembering recent successes briefly."""

    def __init__(
        self,
        database: Database,
        settings: ServerSettings,
        limiter: FailureLimiter,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._settings = settings
        self._limiter = limiter
        self._clock = clock
        self._remembered: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def check(self, authorization: str | None, path: str, address: str | None) -> Page | None:
        """None if the credentials may read ``path``, else the 401 or 429 page to send.

        Blocking (a query, perhaps an argon2 hash): run it off the event loop.
        """
        if not authorization:
            return unauthorized(
                "This index is private: sign in with a username and password "
                "or an API token (username __token__)."
            )
        with self._database.read() as session:
            project_name = project_of_path(session.connection(), path)
        key = hashlib.sha256(f"{project_name}\0{authorization}".encode()).digest()
        now = self._clock()
        with self._lock:
            if self._remembered.get(key, 0.0) > now:
                return None
        username = _password_username(self._settings, authorization)
        attempt = None
        if username is not None:
            try:
                attempt = PasswordTry(self._limiter, username, address)
            except RateLimitedError as exc:
                return too_many_failures(exc.retry_after)
        with self._database.write() as session:
            try:
                identity = authenticate(
                    session, self._settings, authorization, allow_password=True
                )
                project = (
                    session.scalar(select(Project).where(Project.normalized_name == project_name))
                    if project_name
                    else None
                )
                token = identity.token
                # Any permission of the token grants reading.
                permission = token.permissions[0] if token and token.permissions else "upload"
                check_token(self._settings, identity, project=project, permission=permission)
            except RefusedError as error:
                return unauthorized(error.message)
        if attempt is not None:
            attempt.succeeded()
        with self._lock:
            if len(self._remembered) >= _MAX_REMEMBERED:
                self._remembered.clear()
            self._remembered[key] = now + REMEMBER_SECONDS
        return None


def private_send(send: Send) -> Send:
    """Wrap ``send`` so responses of a private index are never kept by shared caches."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = dict(message)
            message["headers"] = [
                (key, value)
                for key, value in message.get("headers", [])
                if key not in (b"cache-control", b"surrogate-control", b"surrogate-key")
            ] + [(b"cache-control", b"private, no-cache")]
        await send(message)

    return wrapped
