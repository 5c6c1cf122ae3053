"""The publishing session and file upload session state machines of the PEP 694 draft.

Every method is one request: it authenticates, loads the session by its
token, re-checks the principal's right to upload to the project (the
draft's "Session authorization"), then changes state in one transaction.
They are blocking (database, disk) and run in worker threads.

States are the draft's (29-Jul-2026): sessions ``open``, ``processing``,
``published``, ``error``, ``canceled``; files ``pending``, ``processing``,
``completed``, ``error``, ``canceled``. This index completes files and
publishes synchronously (201), so ``processing`` is never entered. One more
state is internal: ``expired``, a session past ``expires-at``, which answers
404 everywhere until the sweeper removes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.utils import canonicalize_name, canonicalize_version
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from pypidesk.index.auth.identity import AnyIdentity, Identity
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import (
    LIVE_SESSION_STATES,
    ApiToken,
    StagingFile,
    StagingReservation,
    StagingSession,
    User,
    utcnow,
)
from pypidesk.index.records import flags
from pypidesk.index.records.projects import ProjectCreationError, create_project
from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging import checks
from pypidesk.index.staging.access import (
    authorize,
    principal,
    record_authorize,
    record_principal,
)
from pypidesk.index.staging.problems import ProblemError, from_refusal
from pypidesk.index.staging.records import FileRow, SessionRow, StagingRecords
from pypidesk.index.staging.views import FileView, SessionView, aware, file_view, session_view
from pypidesk.index.upload.renderer import DescriptionRenderer

EDITABLE = ("open", "error")
# Staged files are flushed to disk in the background once received.
_writeback = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pypidesk-staged-writeback")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


class SessionConflictError(ProblemError):
    """409 for a second session of a live name and version: ``Location`` names the first."""

    def __init__(self, token: str, detail: str) -> None:
        super().__init__(409, detail)
        self.token = token


def new_token() -> str:
    """A cryptographically unguessable token (256 bits), URL-safe."""
    return secrets.token_urlsafe(32)


class StagingService:
    """Publishing sessions of one index: records in ``database``, bytes under ``staging_dir``."""

    def __init__(
        self, database: Database, settings: ServerSettings, renderer: DescriptionRenderer
    ) -> None:
        self.database = database
        self.settings = settings
        # The legacy upload's description renderer: staged files pass the same check 12.
        self.renderer = renderer
        self.root = settings.staging_dir

    # -- where the bytes are -------------------------------------------------

    def session_dir(self, token: str) -> Path:
        return self.root / token

    def file_path(self, session_token: str, file_token: str) -> Path:
        return self.root / session_token / file_token

    def purge(self, session_token: str) -> None:
        """Remove every staged byte of a session (nothing else refers to them)."""
        shutil.rmtree(self.session_dir(session_token), ignore_errors=True)

    # -- lookups ---------------------------------------------------------------

    @staticmethod
    def is_token(token: str) -> bool:
        """Whether ``token`` could be a session's or a file's (never a path's parts)."""
        return _TOKEN.match(token) is not None

    def _identity(self, session: Session, authorization: str | None) -> Identity[User, ApiToken]:
        return principal(session, self.settings, authorization)

    def _load(self, session: Session, token: str, *, lock: bool = False) -> StagingSession:
        """The session with this token; 404 when there is none or it has expired."""
        row = None
        if _TOKEN.match(token):
            query = select(StagingSession).where(StagingSession.token == token)
            if lock:
                query = query.with_for_update()
            # Its files load only where a request needs them all (status, publish).
            row = session.scalar(query)
        if row is None or row.status == "expired" or _is_past_expiry(row):
            raise ProblemError(404, "There is no such publishing session; it may have expired.")
        return row

    def _acting(
        self, session: Session, authorization: str | None, token: str, *, lock: bool = False
    ) -> StagingSession:
        """Authenticate (401), find the session (404), authorize on its project (403)."""
        identity = self._identity(session, authorization)
        row = self._load(session, token, lock=lock)
        authorize(session, self.settings, identity, row.name, row)
        return row

    def _editable(self, row: StagingSession | SessionRow) -> None:
        """The draft's editable states are ``open`` and ``error``."""
        if row.status in EDITABLE:
            return
        if row.status == "canceled":
            raise ProblemError(404, "The publishing session was canceled.")
        raise ProblemError(409, f"The publishing session is {row.status}; it cannot be changed.")

    def _file(self, row: StagingSession, file_token: str) -> StagingFile:
        session = object_session(row)
        assert session is not None  # rows come from a live session
        staged = session.scalar(
            select(StagingFile).where(
                StagingFile.session_id == row.id, StagingFile.token == file_token
            )
        )
        if staged is None:
            raise ProblemError(404, "There is no such file upload session.")
        return staged

    # -- publishing sessions ---------------------------------------------------

    def create(self, authorization: str | None, name: object, version: object) -> SessionView:
        """A new session for a name and version (201), or the live one's 409."""
        with self.database.write() as session:
            identity = self._identity(session, authorization)
            display, parsed = checks.release_of(name, version)
            for flag_id in (flags.READ_ONLY, flags.DISALLOW_NEW_UPLOAD):
                if flags.is_enabled(session, flag_id):
                    raise ProblemError(403, flags.message(flag_id, self.settings.help_url))
            project = authorize(session, self.settings, identity, display, None)
            normalized = canonicalize_name(display)
            canonical = canonicalize_version(parsed)
            self._expire_due(session, normalized)
            if project is None:
                self._check_registration(session, identity.user, display)
            now = utcnow()
            row = StagingSession(
                token=new_token(),
                name=display,
                normalized_name=normalized,
                version=str(parsed),
                canonical_version=canonical,
                status="open",
                reserves_name=project is None,
                creator_id=identity.user.id,
                created=now,
                expires_at=now + dt.timedelta(seconds=self.settings.staging_lifetime),
                notices=[],
            )
            try:
                # The partial unique indexes decide, also between concurrent requests.
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:
                raise self._conflict(session, identity, display, canonical) from None
            return session_view(row)

    def _conflict(
        self,
        session: Session,
        identity: Identity[User, ApiToken],
        display: str,
        canonical: str,
    ) -> ProblemError:
        """Why a new session could not be recorded: a live one, or a held new name."""
        live = session.scalar(
            select(StagingSession).where(
                StagingSession.normalized_name == canonicalize_name(display),
                StagingSession.canonical_version == canonical,
                StagingSession.status.in_(LIVE_SESSION_STATES),
            )
        )
        if live is None:
            return ProblemError(
                409, f"The name {display!r} is reserved by another publishing session."
            )
        # Only a principal who may act on it learns that it exists (403 before 409).
        authorize(session, self.settings, identity, display, live)
        return SessionConflictError(
            live.token, f"A publishing session for {display} {live.version} is in progress."
        )

    def _check_registration(self, session: Session, user: User, display: str) -> None:
        """A first release: the name must be one the index would register."""
        # The index's registration rules (PyPI's texts), tried and rolled back:
        # the name is registered only when the session is published.
        nested = session.begin_nested()
        try:
            create_project(session, self.settings, display, user)
        except ProjectCreationError as exc:
            raise from_refusal(exc, "name") from None
        finally:
            nested.rollback()

    def _expire_due(self, session: Session, normalized: str | None = None) -> list[str]:
        """Mark live sessions past ``expires-at`` expired; returns their tokens."""
        query = select(StagingSession).where(
            StagingSession.status.in_(LIVE_SESSION_STATES),
            StagingSession.expires_at <= utcnow(),
        )
        if normalized is not None:
            query = query.where(StagingSession.normalized_name == normalized)
        expired = list(session.scalars(query))
        for row in expired:
            row.status = "expired"
            row.ended_at = utcnow()
            session.execute(
                delete(StagingReservation).where(StagingReservation.session_id == row.id)
            )
        return [row.token for row in expired]

    def status(self, authorization: str | None, token: str) -> SessionView:
        with self.database.write() as session:
            return session_view(self._acting(session, authorization, token))

    def extend(self, authorization: str | None, token: str, seconds: object) -> SessionView:
        """Push ``expires-at`` out by up to ``seconds``, within the index's maximum lifetime."""
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            raise ProblemError(400, "extend-for must be a whole number of seconds.",
                          errors=[("extend-for", "not a non-negative integer")])  # fmt: skip
        with self.database.write() as session:
            row = self._acting(session, authorization, token, lock=True)
            self._editable(row)
            self._extend(row, seconds)
            return session_view(row)

    def _extend(self, row: StagingSession, seconds: int) -> None:
        limit = aware(row.created) + dt.timedelta(seconds=self.settings.staging_max_lifetime)
        wanted = utcnow() + dt.timedelta(seconds=min(seconds, self.settings.staging_max_lifetime))
        # Never earlier than it was, never beyond the limit.
        row.expires_at = max(aware(row.expires_at), min(wanted, limit))

    def cancel(self, authorization: str | None, token: str) -> None:
        """Cancel (204): the staged files go at once, the status stays for the retention period."""
        with self.database.write() as session:
            row = self._acting(session, authorization, token, lock=True)
            # ``processing`` (never entered here: publishing is synchronous) gets 409 too.
            self._editable(row)
            row.status = "canceled"
            row.ended_at = utcnow()
            session.execute(delete(StagingFile).where(StagingFile.session_id == row.id))
            session.execute(
                delete(StagingReservation).where(StagingReservation.session_id == row.id)
            )
        self.purge(token)

    # -- file upload sessions ---------------------------------------------------

    def create_file(
        self,
        authorization: str | None,
        token: str,
        *,
        filename: object,
        size: object,
        hashes: object,
        mechanism: object,
    ) -> FileView:
        """A file upload session (202), after the checks the draft allows before the bytes."""
        replaced = None
        with self.database.write_connection() as connection:
            records = StagingRecords(connection)
            _, row = self._record_acting(records, authorization, token, lock=True)
            self._editable(row)
            if mechanism != checks.MECHANISM:
                raise ProblemError(
                    422,
                    f"The upload mechanism {mechanism!r} is not supported; "
                    f"use {checks.MECHANISM!r}.",
                    errors=[("mechanism", f"supported: {checks.MECHANISM}")],
                )
            name = checks.check_filename(filename, row.normalized_name, row.canonical_version)
            declared_size = checks.check_size(size, self.settings, row.name)
            declared = checks.check_hashes(hashes)
            if records.is_published(name):
                raise ProblemError(
                    409,
                    f"The file {name!r} has already been published; published files "
                    "cannot be replaced.",
                    errors=[("filename", "already exists")],
                )
            for file_id, file_token, status in records.live_named(row.id, name):
                if status != "completed":
                    raise ProblemError(
                        409,
                        f"The upload of {name!r} is {status}; cancel it first.",
                        errors=[("filename", status)],
                    )
                records.cancel_file(file_id)  # replaced by the new upload
                replaced = file_token
            view = FileView(new_token(), name, "pending", row.expires_at, [])
            records.insert_file_session(row.id, view.token, name, declared_size, declared)
            records.close()
        # Where its bytes go: there before the client can send them.
        self.session_dir(token).mkdir(parents=True, exist_ok=True)
        if replaced is not None:
            self._remove_bytes(token, replaced)
        return view

    def file_status(self, authorization: str | None, token: str, file_token: str) -> FileView:
        with self.database.write() as session:
            row = self._acting(session, authorization, token)
            return file_view(self._file(row, file_token), row.expires_at)

    def extend_file(
        self, authorization: str | None, token: str, file_token: str, seconds: object
    ) -> FileView:
        """A file upload session lives as long as its publishing session: extend that."""
        self.extend(authorization, token, seconds)
        return self.file_status(authorization, token, file_token)

    def cancel_file(self, authorization: str | None, token: str, file_token: str) -> None:
        """Cancel an upload or delete a staged file (204); not while ``processing`` (409)."""
        with self.database.write() as session:
            row = self._acting(session, authorization, token, lock=True)
            self._editable(row)
            staged = self._file(row, file_token)
            if staged.status in ("processing", "canceled"):
                raise ProblemError(409, f"The file upload session is {staged.status}.")
            staged.status = "canceled"
        self._remove_bytes(token, file_token)

    def _remove_bytes(self, token: str, file_token: str) -> None:
        for suffix in ("", ".part", ".metadata", ".core"):
            self.file_path(token, file_token + suffix).unlink(missing_ok=True)

    def admit_bytes(self, authorization: str | None, token: str, file_token: str) -> int:
        """Before ``http-post-bytes`` streams the body: may it? Returns the declared size."""
        with self.database.write() as session:
            row = self._acting(session, authorization, token)
            self._editable(row)
            staged = self._file(row, file_token)
            if staged.status != "pending":
                raise ProblemError(409, f"The file upload session is {staged.status}.")
            self.session_dir(token).mkdir(parents=True, exist_ok=True)
            return staged.size

    def store_bytes(
        self, authorization: str | None, token: str, file_token: str, received: int
    ) -> None:
        """The body is in (``received`` bytes at ``<file>.part``): make it the file's bytes.

        One transaction re-checks everything :meth:`admit_bytes` did (a small
        body is streamed before any check, as ``POST /legacy/`` does), so the
        part is kept only if the request may still upload it.
        """
        part = self.file_path(token, file_token + ".part")
        try:
            with self.database.write_connection() as connection:
                records = StagingRecords(connection)
                _, row = self._record_acting(records, authorization, token)
                self._editable(row)
                staged = self._file_row(records, row, file_token)
                if staged.status != "pending":
                    raise ProblemError(409, f"The file upload session is {staged.status}.")
                if received > staged.size:
                    raise too_many_bytes(staged.size)
                part.rename(self.file_path(token, file_token))
                records.mark_received(staged.id)
                records.close()
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        # Written back now, off the request: the publish then finds it on disk already.
        _writeback.submit(_write_back, self.file_path(token, file_token))

    def _record_acting(
        self, records: StagingRecords, authorization: str | None, token: str, *, lock: bool = False
    ) -> tuple[AnyIdentity, SessionRow]:
        """:meth:`_acting` in plain statements: 401, 404, then 403, as there."""
        identity = record_principal(records, self.settings, authorization)
        row = records.session_row(token, lock=lock) if _TOKEN.match(token) else None
        if row is None or row.status == "expired" or _is_past_expiry(row):
            raise ProblemError(404, "There is no such publishing session; it may have expired.")
        record_authorize(records, self.settings, identity, row)
        return identity, row

    @staticmethod
    def _file_row(records: StagingRecords, row: SessionRow, file_token: str) -> FileRow:
        staged = records.file_row(row.id, file_token)
        if staged is None:
            raise ProblemError(404, "There is no such file upload session.")
        return staged


def _write_back(path: Path) -> None:
    """Flush a staged file's data; the publish's own sync is then quick."""
    # Canceled or replaced meanwhile: nothing left to flush.
    with contextlib.suppress(OSError), path.open("rb") as handle:
        os.fdatasync(handle.fileno())


def too_many_bytes(declared: int) -> ProblemError:
    return ProblemError(
        400,
        f"More bytes were sent than the {declared} declared.",
        errors=[("size", str(declared))],
    )


def _is_past_expiry(row: StagingSession | SessionRow) -> bool:
    return row.status in LIVE_SESSION_STATES and aware(row.expires_at) <= utcnow()
