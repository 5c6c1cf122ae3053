"""Completing a staged file, and publishing a session: the legacy upload's checks and records.

A staged file becomes the form twine would have sent for it
(:mod:`pypidesk.index.staging.dist_form`) and goes through
:func:`~pypidesk.index.upload.service.check_upload`: on completion in a
transaction that is rolled back (the checks only), at publish for every file
in one transaction with :func:`~pypidesk.index.upload.service.record_upload`,
so the whole release becomes visible at one commit, or nothing does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from packaging.metadata import Metadata
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pypidesk.index.db.models import StagingFile, StagingReservation, StagingSession, User, utcnow
from pypidesk.index.errors import RefusedError
from pypidesk.index.records.projects import create_project
from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging import checks
from pypidesk.index.staging.access import authorize
from pypidesk.index.staging.dist_form import form_fields, metadata_fields, read_core_metadata
from pypidesk.index.staging.problems import ProblemError, from_refusal
from pypidesk.index.staging.records import FileOutcome, StagingRecords
from pypidesk.index.staging.service import EDITABLE, StagingService
from pypidesk.index.staging.views import FileView, SessionView, session_view
from pypidesk.index.storage import ArrivedFile, Digests, FileStorage
from pypidesk.index.upload.form import sanitize
from pypidesk.index.upload.long_description import PreparedDescription, prepare_description
from pypidesk.index.upload.metadata import parse_metadata
from pypidesk.index.upload.multipart import ReceivedForm
from pypidesk.index.upload.records import ProjectRecord, UploadRecords
from pypidesk.index.upload.renderer import DescriptionRenderer
from pypidesk.index.upload.service import (
    CheckedUpload,
    NoChange,
    Uploader,
    check_upload,
    flags_error,
    record_upload,
)

OCTET_STREAM = "application/octet-stream"
# Beside a completed file: a wheel's METADATA, an sdist's PKG-INFO.
METADATA_SUFFIX = ".metadata"
CORE_SUFFIX = ".core"


class StagedContent:
    """A staged file as the upload checks read an upload (read-only: checks, no storing)."""

    too_large = False

    def __init__(self, path: Path, size: int, digests: Digests) -> None:
        self.size = size
        self._path = path
        self._digests = digests
        self.metadata: bytes | None = None

    def finish(self) -> Digests:
        return self._digests

    def read_path(self) -> Path:
        return self._path

    def add_metadata(self, data: bytes) -> None:
        self.metadata = data


@dataclass(frozen=True)
class _Staged:
    """What completing or publishing a file needs, read while the session was loaded."""

    session_id: int
    session_token: str
    token: str
    filename: str
    size: int
    hashes: dict[str, str]
    # The sha256 of the bytes completed (None: not completed).
    sha256: str | None = None
    # Their core metadata, found at completion (None: not completed).
    core: bytes | None = None


@dataclass(frozen=True)
class _Parsed:
    """What the checks make of one core metadata: the same for every file that carries it."""

    fields: dict[str, list[str]]
    metadata: Metadata
    description: PreparedDescription


class CoreParses:
    """A publish's parsed core metadata, by its bytes.

    The files of a release mostly carry the same core metadata; the form's
    fields, the validated metadata and the rendered description depend on
    those bytes alone, so a publish makes them once. (They parsed when the
    files were completed; should they not, the refusal is the checks' own.)
    """

    def __init__(self, settings: ServerSettings, renderer: DescriptionRenderer) -> None:
        self._settings = settings
        self._renderer = renderer
        self._parsed: dict[bytes, _Parsed] = {}

    def get(self, core: bytes) -> _Parsed:
        """The parse of ``core``, made at its first file."""
        found = self._parsed.get(core)
        if found is None:
            fields = metadata_fields(core)
            metadata = parse_metadata(sanitize(fields))
            description = prepare_description(fields, self._settings, self._renderer)
            found = self._parsed[core] = _Parsed(fields, metadata, description)
        return found


def _no_scope_check(_project: ProjectRecord) -> None:
    """The token was checked against the project when the request was authorized."""


def _refusal(exc: RefusedError, filename: str) -> ProblemError:
    """A legacy refusal as a problem; a name clash with a published file is a conflict."""
    if exc.message.startswith("File already exists"):
        return ProblemError(409, exc.message, errors=[(filename, exc.message)])
    return from_refusal(exc, filename)


def _check(
    records: UploadRecords,
    settings: ServerSettings,
    renderer: DescriptionRenderer,
    staged: _Staged,
    path: Path,
    *,
    content: StagedContent | ArrivedFile,
    uploader: Uploader,
    core: bytes | None = None,
    parses: CoreParses | None = None,
) -> tuple[CheckedUpload, bytes]:
    """The legacy checks of one staged file, on ``records``' transaction; and its metadata.

    ``core``: the core metadata found at completion, when the bytes are the
    ones completed; the checks of the archive itself are then not repeated,
    and with ``parses`` neither is the parse of metadata met before.
    """
    try:
        metadata = read_core_metadata(path, staged.filename) if core is None else core
        parsed = parses.get(core) if parses is not None and core is not None else None
        received = ReceivedForm(
            fields=form_fields(
                metadata if parsed is None else parsed.fields, staged.filename, content.finish()
            ),
            content=content,  # type: ignore[arg-type] # StagedContent: what the checks read
            filename=staged.filename,
            content_type=OCTET_STREAM,
        )
        # Rendered in the renderer's child with its time limit, as a legacy upload's.
        description = (
            prepare_description(received.fields, settings, renderer)
            if parsed is None
            else parsed.description
        )
        checked = check_upload(
            records,
            settings,
            received,
            uploader,
            description,
            checked_archive=core,
            parsed=None if parsed is None else parsed.metadata,
        )
    except NoChange:
        message = f"The file {staged.filename!r} has already been published."
        raise ProblemError(409, message, errors=[(staged.filename, message)]) from None
    except RefusedError as exc:
        raise _refusal(exc, staged.filename) from None
    return checked, metadata


def complete(
    service: StagingService, authorization: str | None, token: str, file_token: str
) -> FileView:
    """Complete a file upload session: 201 and ``completed``, or the problem and ``error``.

    One transaction: the session's row is held while the file is checked, so
    nothing changes it meanwhile; the legacy checks' writes (a first release's
    project) are undone at a savepoint, the outcome is recorded and committed.
    """
    with service.database.write_connection() as connection:
        records = StagingRecords(connection)
        identity, row = service._record_acting(records, authorization, token, lock=True)
        service._editable(row)
        staged_row = service._file_row(records, row, file_token)
        if staged_row.status != "pending":
            raise ProblemError(409, f"The file upload session is {staged_row.status}.")
        staged = _Staged(
            row.id, token, file_token, staged_row.filename, staged_row.size, staged_row.hashes
        )
        uploader = Uploader(
            identity.user,
            _no_scope_check,
            token_name=identity.token.name if identity.token else None,
            staging_session=row.id,
        )
        problem = None
        try:
            if staged.filename.endswith(".tar.gz") and records.has_completed_sdist(row.id):
                raise ProblemError(400, "Only one sdist may be uploaded per release.")
            outcome = _validate(records, service, staged, uploader, received=staged_row.received)
        except ProblemError as exc:
            problem = exc
            outcome = FileOutcome("error", [exc.message])
        records.finish_file(staged_row.id, outcome)
        records.close()
    if problem is not None:
        raise problem
    return FileView(file_token, staged.filename, outcome.status, row.expires_at, outcome.notices)


def _validate(
    records: StagingRecords,
    service: StagingService,
    staged: _Staged,
    uploader: Uploader,
    *,
    received: bool,
) -> FileOutcome:
    """The size, the declared digests, then the legacy checks (undone)."""
    path = service.file_path(staged.session_token, staged.token)
    if not received or not path.is_file():
        raise ProblemError(400, "No bytes were uploaded for this file; POST them to its file_url.")
    actual = path.stat().st_size
    if actual != staged.size:
        message = f"{actual} bytes were uploaded, {staged.size} were declared."
        raise ProblemError(400, message, errors=[("size", message)])
    digests, wrong = checks.digest_file(path, staged.hashes)
    if wrong:
        message = "The digest supplied does not match a digest calculated from the uploaded file."
        raise ProblemError(400, message, errors=[(f"hashes.{name}", message) for name in wrong])
    content = StagedContent(path, actual, digests)
    records.savepoint()
    try:
        checked, core = _check(
            records,
            service.settings,
            service.renderer,
            staged,
            path,
            content=content,
            uploader=uploader,
        )
    finally:
        records.undo_to_savepoint()  # completing records nothing
    # For the stage's PEP 658 files, and for the publish, which checks these
    # bytes again but their archive no more: a wheel's core metadata is its
    # METADATA, an sdist's its PKG-INFO.
    if content.metadata is not None:
        path.with_name(staged.token + METADATA_SUFFIX).write_bytes(content.metadata)
    else:
        path.with_name(staged.token + CORE_SUFFIX).write_bytes(core)
    return FileOutcome(
        "completed",
        [],
        requires_python=checked.file.requires_python,
        sha256=checked.file.sha256_digest,
        metadata_sha256=checked.file.metadata_sha256_digest,
        core=core,
    )


# -- publishing ---------------------------------------------------------------


def publish(
    service: StagingService,
    storage: FileStorage,
    authorization: str | None,
    token: str,
    *,
    purge: bool = True,
) -> SessionView:
    """Publish every completed file at once (201), or refuse and change nothing.

    Without ``purge``, the caller removes the staged bytes (the route does,
    once it has answered: the client need not wait for the clean-up).
    """
    with service.database.write() as session:
        identity = service._identity(session, authorization)
        row = service._load(session, token, lock=True)
        authorize(session, service.settings, identity, row.name, row)
        service._editable(row)
        files = [f for f in row.files if f.status != "canceled"]
        blocking = [f for f in files if f.status != "completed"]
        if blocking:
            raise ProblemError(
                409,
                "Every file must be completed before the session is published.",
                errors=[(f.filename, f"The file is {f.status}.") for f in blocking],
            )
        _reserve(session, row, files)
        plan = [
            _Staged(
                row.id,
                token,
                f.token,
                f.filename,
                f.size,
                dict(f.hashes),
                f.sha256_digest,
                f.core_metadata,
            )
            for f in files
        ]
        user = identity.user
        uploader = Uploader(
            user,
            _no_scope_check,
            token_name=identity.token.name if identity.token else None,
            staging_session=row.id,
        )
        first_release = row.reserves_name
        name = row.name
        # What a status request would answer once published (nothing else changes).
        published = dataclasses.replace(session_view(row), status="published")
    try:
        _publish(service, storage, row.id, plan, uploader, name=name, first_release=first_release)
    except BaseException:
        with service.database.write() as session:
            _release(session, row.id)
        raise
    if purge:
        service.purge(token)
    return published


def _reserve(session: Session, row: StagingSession, files: list[StagingFile]) -> None:
    """The draft's filename reservation: held while the publish runs, committed first."""
    _release(session, row.id)
    if not files:
        return  # a name registration (an empty session) holds no filename
    try:
        with session.begin_nested():
            # One statement for all of them (the ORM would flush them one by one).
            now = utcnow()
            session.execute(
                insert(StagingReservation),
                [{"filename": f.filename, "session_id": row.id, "created": now} for f in files],
            )
    except IntegrityError:
        raise ProblemError(
            409,
            "Another publish holds one of this session's filenames.",
            errors=[(f.filename, "reserved") for f in files],
        ) from None


def _release(session: Session, session_id: int) -> None:
    session.execute(delete(StagingReservation).where(StagingReservation.session_id == session_id))


def _publish(
    service: StagingService,
    storage: FileStorage,
    session_id: int,
    plan: list[_Staged],
    uploader: Uploader,
    *,
    name: str,
    first_release: bool,
) -> None:
    """One transaction: every file's checks and rows, the session ``published``."""
    settings = service.settings
    contents: list[ArrivedFile] = []
    paths: list[str] = []
    parses = CoreParses(settings, service.renderer)
    try:
        with service.database.write_connection() as connection:
            records = UploadRecords(connection)
            orm = records.session
            current = orm.scalar(
                select(StagingSession).where(StagingSession.id == session_id).with_for_update()
            )
            assert current is not None  # a session row is never deleted while live
            if current.status not in EDITABLE:
                raise ProblemError(409, f"The publishing session is {current.status}.")
            refused = flags_error(records, settings)
            if refused is not None:
                raise from_refusal(refused, "session")
            if not plan and first_release:
                # A name registration without files (the draft's FAQ).
                assert isinstance(uploader.user, User)
                try:
                    create_project(orm, settings, name, uploader.user)
                except RefusedError as exc:
                    raise from_refusal(exc, "name") from None
            for staged in plan:
                source = service.file_path(staged.session_token, staged.token)
                # The staged file itself goes into the store: linked, not copied.
                content = storage.adopt(source, metadata=_core_path(source, staged))
                core = _completed_core(staged, content.finish())
                if core is None:  # not the bytes completed: nothing of completion is reused
                    content.discard()
                    content = storage.adopt(source)
                contents.append(content)
                checked, _ = _check(
                    records,
                    settings,
                    service.renderer,
                    staged,
                    source,
                    content=content,
                    uploader=uploader,
                    core=core,
                    parses=parses,
                )
                record_upload(records, uploader, checked)
                paths.append(checked.file.path)
            current.status = "published"
            current.ended_at = utcnow()
            orm.execute(
                delete(StagingReservation).where(StagingReservation.session_id == session_id)
            )
            records.close()
            for content in contents:
                content.stage()
        changes = records.changes
    except BaseException:
        for content in contents:
            content.discard()
        raise
    for content, path in zip(contents, paths, strict=True):
        content.commit(path)
    # Caching proxies drop the pages the release changed, as after a legacy upload.
    service.database.committed(changes)


def _completed_core(staged: _Staged, digests: Digests) -> bytes | None:
    """The core metadata found at completion, if these are the bytes completed."""
    return staged.core if digests.sha256 == staged.sha256 else None


def _core_path(source: Path, staged: _Staged) -> Path:
    """Where completion left the file's core metadata."""
    wheel = staged.filename.endswith(".whl")
    return source.with_name(staged.token + (METADATA_SUFFIX if wheel else CORE_SUFFIX))
