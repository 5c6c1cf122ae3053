"""Completing a staged file, and publishing a session: the legacy upload's checks and records.

A staged file becomes the form twine would have sent for it
(:mod:`pypidesk.index.staging.dist_form`) and goes through
:func:`~pypidesk.index.upload.service.check_upload`: on completion in a
transaction that is rolled back (the checks only), at publish for every file
in one transaction with :func:`~pypidesk.index.upload.service.record_upload`,
so the whole release becomes visible at one commit, or nothing does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pypidesk.index.db.models import StagingFile, StagingReservation, StagingSession, User, utcnow
from pypidesk.index.errors import RefusedError
from pypidesk.index.records.projects import create_project
from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging import checks
from pypidesk.index.staging.access import authorize
from pypidesk.index.staging.dist_form import form_fields, read_core_metadata
from pypidesk.index.staging.problems import ProblemError, from_refusal
from pypidesk.index.staging.service import EDITABLE, StagingService
from pypidesk.index.staging.views import FileView, SessionView, file_view
from pypidesk.index.storage import Digests, FileStorage, IncomingFile
from pypidesk.index.upload.long_description import prepare_description
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


class _Checked(Exception):  # noqa: N818 - carries the result out of a rolled-back transaction
    def __init__(self, checked: CheckedUpload) -> None:
        self.checked = checked


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
    content: StagedContent | IncomingFile,
    uploader: Uploader,
) -> CheckedUpload:
    """The legacy checks of one staged file, on ``records``' transaction."""
    try:
        metadata = read_core_metadata(path, staged.filename)
        received = ReceivedForm(
            fields=form_fields(metadata, staged.filename, content.finish()),
            content=content,  # type: ignore[arg-type] # StagedContent: what the checks read
            filename=staged.filename,
            content_type=OCTET_STREAM,
        )
        # Rendered in the renderer's child with its time limit, as a legacy upload's.
        description = prepare_description(received.fields, settings, renderer)
        return check_upload(records, settings, received, uploader, description)
    except NoChange:
        message = f"The file {staged.filename!r} has already been published."
        raise ProblemError(409, message, errors=[(staged.filename, message)]) from None
    except RefusedError as exc:
        raise _refusal(exc, staged.filename) from None


def complete(
    service: StagingService, authorization: str | None, token: str, file_token: str
) -> FileView:
    """Complete a file upload session: 201 and ``completed``, or the problem and ``error``."""
    with service.database.write() as session:
        identity = service._identity(session, authorization)
        row = service._load(session, token, lock=True)
        authorize(session, service.settings, identity, row.name, row)
        service._editable(row)
        staged_row = service._file(row, file_token)
        if staged_row.status != "pending":
            raise ProblemError(409, f"The file upload session is {staged_row.status}.")
        staged = _Staged(
            row.id, token, file_token, staged_row.filename, staged_row.size,
            dict(staged_row.hashes),
        )  # fmt: skip
        other_sdist = staged.filename.endswith(".tar.gz") and session.scalar(
            select(StagingFile.id).where(
                StagingFile.session_id == row.id,
                StagingFile.status == "completed",
                StagingFile.filename.like("%.tar.gz"),
            )
        )
        received = staged_row.received
        user = identity.user
        uploader = Uploader(
            user,
            _no_scope_check,
            token_name=identity.token.name if identity.token else None,
            staging_session=row.id,
        )
    try:
        if other_sdist:
            raise ProblemError(400, "Only one sdist may be uploaded per release.")
        checked, metadata = _validate(service, staged, uploader, received=received)
    except ProblemError as problem:
        _finish(service, staged, "error", notices=[problem.message])
        raise
    path = service.file_path(token, file_token)
    if metadata is not None:
        path.with_name(file_token + ".metadata").write_bytes(metadata)
    return _finish(
        service,
        staged,
        "completed",
        requires_python=checked.file.requires_python,
        sha256=checked.file.sha256_digest,
        metadata_sha256=checked.file.metadata_sha256_digest,
    )


def _validate(
    service: StagingService, staged: _Staged, uploader: Uploader, *, received: bool
) -> tuple[CheckedUpload, bytes | None]:
    """The size, the declared digests, then the legacy checks (rolled back)."""
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
    try:
        with service.database.write_connection() as connection:
            records = UploadRecords(connection)
            checked = _check(
                records,
                service.settings,
                service.renderer,
                staged,
                path,
                content=content,
                uploader=uploader,
            )
            records.close()
            raise _Checked(checked)  # roll back: completing records nothing
    except _Checked as done:
        return done.checked, content.metadata


def _finish(
    service: StagingService,
    staged: _Staged,
    status: str,
    *,
    notices: list[str] | None = None,
    requires_python: str | None = None,
    sha256: str | None = None,
    metadata_sha256: str | None = None,
) -> FileView:
    """Record a completion's outcome, unless the file was canceled meanwhile."""
    with service.database.write() as session:
        row = session.get(StagingFile, _file_id(session, staged))
        parent = session.get(StagingSession, staged.session_id)
        assert parent is not None  # rows go with their session
        if row is None or row.status != "pending":
            raise ProblemError(409, "The file upload session was canceled while it was completed.")
        row.status = status
        row.notices = notices or []
        row.requires_python = requires_python
        row.sha256_digest = sha256
        row.metadata_sha256_digest = metadata_sha256
        return file_view(row, parent.expires_at)


def _file_id(session: Session, staged: _Staged) -> int | None:
    return session.scalar(select(StagingFile.id).where(StagingFile.token == staged.token))


# -- publishing ---------------------------------------------------------------


def publish(
    service: StagingService, storage: FileStorage, authorization: str | None, token: str
) -> SessionView:
    """Publish every completed file at once (201), or refuse and change nothing."""
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
        plan = [_Staged(row.id, token, f.token, f.filename, f.size, dict(f.hashes)) for f in files]
        user = identity.user
        uploader = Uploader(
            user,
            _no_scope_check,
            token_name=identity.token.name if identity.token else None,
            staging_session=row.id,
        )
        first_release = row.reserves_name
        name = row.name
    try:
        _publish(service, storage, row.id, plan, uploader, name=name, first_release=first_release)
    except BaseException:
        with service.database.write() as session:
            _release(session, row.id)
        raise
    service.purge(token)
    return service.status(authorization, token)


def _reserve(session: Session, row: StagingSession, files: list[StagingFile]) -> None:
    """The draft's filename reservation: held while the publish runs, committed first."""
    _release(session, row.id)
    try:
        with session.begin_nested():
            session.add_all(
                StagingReservation(filename=f.filename, session_id=row.id) for f in files
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
    contents: list[IncomingFile] = []
    paths: list[str] = []
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
                content = storage.incoming(settings.max_file_size)
                contents.append(content)
                _copy(source, content)
                checked = _check(
                    records,
                    settings,
                    service.renderer,
                    staged,
                    source,
                    content=content,
                    uploader=uploader,
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


def _copy(source: Path, content: IncomingFile) -> None:
    with source.open("rb") as handle:
        while chunk := handle.read(checks.CHUNK):
            content.write(chunk)
    content.sync_in_background()
