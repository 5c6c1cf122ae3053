"""The upload itself: PyPI's validation order, the records, the journal.

:func:`process_upload` runs inside one write transaction after the body has
been received. It raises :class:`UploadError` with PyPI's status and text
for the first failed step, :class:`NoChange` for a byte-identical re-upload
(the caller rolls back and answers 200), or returns the storage path the
caller moves the file to once the transaction has committed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from packaging.metadata import Metadata
from packaging.utils import canonicalize_name, canonicalize_version
from sqlalchemy import and_, bindparam, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pypidesk.index import flags, journal
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import (
    AdminFlag,
    File,
    FileRegistry,
    JournalEntry,
    Project,
    Release,
    Role,
    User,
)
from pypidesk.index.events import record_event
from pypidesk.index.projects import (
    MAINTAINER,
    OWNER,
    ProjectCreationError,
    create_project,
)
from pypidesk.index.settings import GIB, MIB, ServerSettings
from pypidesk.index.storage import storage_path
from pypidesk.index.upload import archives, filenames
from pypidesk.index.upload.description import DescriptionError, render
from pypidesk.index.upload.errors import UploadError, bad_request
from pypidesk.index.upload.form import (
    check_file_fields,
    check_protocol,
    sanitize,
    validate_form,
)
from pypidesk.index.upload.metadata import parse_metadata
from pypidesk.index.upload.multipart import ReceivedForm

LIMITS_HELP = "https://docs.pypi.org/project-management/storage-limits"


class NoChange(Exception):  # noqa: N818 - a signal, not an error
    """The identical file is already stored: answer 200 and change nothing."""


@dataclass(frozen=True)
class Uploader:
    """Who uploads, and the token check for the project they upload to."""

    user: User
    check_scope: Callable[[Project], None]
    # For the project's history (pypidesk.index.events): from where, with which token.
    token_name: str | None = None
    ip_address: str | None = None

    def event(self, session: Session, tag: str, project: Project, **additional: Any) -> None:
        record_event(
            session,
            tag,
            project_name=project.name,
            username=self.user.username,
            ip_address=self.ip_address,
            token_name=self.token_name,
            additional=additional,
        )


@dataclass(frozen=True)
class UploadResult:
    """The answer to the client: 200 with no text, or PyPI's status and text."""

    status: int
    message: str = ""


OK = UploadResult(200)
# Concurrent inserts of the same file on PostgreSQL: the loser retries and finds it.
ATTEMPTS = 3

# The statements of every upload, built once: constructing a statement and
# its cache key costs more in Python than SQLite takes to run it.
_FLAGS = select(AdminFlag.id).where(
    AdminFlag.id.in_((flags.READ_ONLY, flags.DISALLOW_NEW_UPLOAD)),
    AdminFlag.enabled.is_(True),
)
_PROJECT_AND_ROLE = (
    select(Project, Role.role_name)
    .outerjoin(Role, and_(Role.project_id == Project.id, Role.user_id == bindparam("user_id")))
    .where(Project.normalized_name == bindparam("name"))
)
_RELEASE = select(Release.id, Release.version).where(
    Release.project_id == bindparam("project_id"),
    Release.canonical_version == bindparam("canonical"),
)
_SAME_FILE = (
    select(File.filename, File.sha256_digest, File.blake2_256_digest)
    .where(
        or_(File.filename == bindparam("filename"), File.blake2_256_digest == bindparam("blake2"))
    )
    .limit(1)
)
_REGISTERED = select(FileRegistry.filename).where(FileRegistry.filename == bindparam("filename"))
_SDIST = (
    select(File.id)
    .where(File.release_id == bindparam("release_id"), File.packagetype == "sdist")
    .limit(1)
)
# Table-level (Core) inserts: the row's values come as parameters.
_INSERT_RELEASE = insert(Release.__table__)
_INSERT_FILE = insert(File.__table__)
_INSERT_REGISTRY = insert(FileRegistry.__table__)
_INSERT_JOURNAL = insert(JournalEntry.__table__)


def flags_error(session: Session, settings: ServerSettings) -> UploadError | None:
    """Step 1: PyPI's kill switches for uploads (both read in one query)."""
    enabled = set(session.scalars(_FLAGS))
    if flags.READ_ONLY in enabled:
        return UploadError(403, "Read-only mode: Uploads are temporarily disabled.")
    if flags.DISALLOW_NEW_UPLOAD in enabled:
        return UploadError(
            403,
            "New uploads are temporarily disabled. "
            f"See {settings.help_url}#admin-intervention for more information.",
        )
    return None


def store_upload(
    database: Database,
    settings: ServerSettings,
    received: ReceivedForm,
    identify: Callable[[Session], Uploader],
) -> UploadResult:
    """Check and record ``received`` in one transaction; move the file after commit.

    ``identify`` authenticates inside the transaction (raising UploadError).
    A crash between commit and the final rename is repaired at start-up by
    :meth:`LocalFileStorage.sweep`, which finds the staged file and its row.
    """
    for attempt in range(ATTEMPTS):
        try:
            with database.write() as session:
                refused = flags_error(session, settings)
                if refused is not None:
                    raise refused
                path = process_upload(session, settings, received, identify(session))
                assert received.content is not None  # process_upload checked it
                received.content.stage()
        except NoChange:
            return OK
        except UploadError as exc:
            return UploadResult(exc.status, exc.message)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        received.content.commit(path)
        return OK
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def process_upload(
    session: Session, settings: ServerSettings, received: ReceivedForm, uploader: Uploader
) -> str:
    """Validate and record one upload; returns the file's storage path.

    Autoflush is off: the checks' queries never depend on the pending
    release, and every automatic flush runs the whole unit of work again.
    """
    with session.no_autoflush:
        return _process(session, settings, received, uploader)


def _process(
    session: Session, settings: ServerSettings, received: ReceivedForm, uploader: Uploader
) -> str:
    check_file_fields(received.file_fields)
    fields = sanitize(received.fields)
    check_protocol(fields)
    form = validate_form(fields)
    metadata = parse_metadata(fields)
    content = received.content
    if content is None or received.filename is None:
        raise bad_request("Upload payload does not have a file.")
    project = _project(session, settings, metadata, uploader)
    if project.name != metadata.name:
        project.name = metadata.name
    try:
        description_html = render(
            metadata.description, metadata.description_content_type, settings.help_url
        )
    except DescriptionError as exc:
        raise bad_request(exc.message) from None
    release = _release(session, project, metadata, description_html, uploader.user)
    filename = received.filename
    filenames.check_characters_and_extension(filename, form.filetype)
    part_type = received.content_type or ""
    if not part_type or part_type.startswith("image/"):
        raise bad_request("Invalid distribution file.")
    _check_size(settings, project, content.size, too_large=content.too_large)
    digests = content.finish()
    if (
        (form.md5_digest and form.md5_digest.lower() != digests.md5)
        or (form.sha256_digest and form.sha256_digest.lower() != digests.sha256)
        or (form.blake2_256_digest and form.blake2_256_digest.lower() != digests.blake2_256)
    ):
        raise bad_request(
            "The digest supplied does not match a digest calculated from the uploaded file."
        )
    _check_duplicate(session, settings, filename, digests.sha256, digests.blake2_256)
    if session.scalar(_REGISTERED, {"filename": filename}) is not None:
        raise bad_request(
            "This filename was previously used by a file that has since been deleted. "
            f"Use a different version. See {settings.help_url}#file-name-reuse "
            "for more information."
        )
    if form.filetype == "sdist" and _has_sdist(session, release):
        raise bad_request("Only one sdist may be uploaded per release.")
    contents = archives.check_archive(content.read_path(), filename)
    wheel = form.filetype == "bdist_wheel"
    if wheel:
        archives.check_wheel_members(contents, filename)
        filenames.check_wheel_filename(filename, project.name, metadata.version)
        wheel_metadata = archives.read_wheel_metadata(content.read_path(), contents, filename)
        content.add_metadata(wheel_metadata)
        metadata_digests = (
            hashlib.sha256(wheel_metadata).hexdigest(),
            hashlib.blake2b(wheel_metadata, digest_size=32).hexdigest(),
        )
    else:
        metadata_digests = None
        filenames.check_sdist_filename(filename, project.name, metadata.version)
    archives.check_license_files(contents, filename, metadata.license_files or [], wheel=wheel)
    if "attestations" in fields:
        # PEP 740 attestations come only with Trusted Publishing, which this
        # index does not offer; PyPI refuses them from API-token uploads.
        raise bad_request(
            "Invalid attestations supplied during upload: Attestations are only supported "
            "when using Trusted Publishing"
        )
    path = storage_path(digests.blake2_256, filename)
    new_release = release.id is None
    _record_file(
        session,
        project,
        release,
        {
            "filename": filename,
            "path": path,
            "size": content.size,
            "md5_digest": digests.md5,
            "sha256_digest": digests.sha256,
            "blake2_256_digest": digests.blake2_256,
            "packagetype": form.filetype,
            "python_version": form.pyversion,
            "requires_python": (
                str(metadata.requires_python) if metadata.requires_python else None
            ),
            "comment_text": form.comment,
            "uploader_id": uploader.user.id,
            "metadata_sha256_digest": metadata_digests[0] if metadata_digests else None,
            "metadata_blake2_256_digest": metadata_digests[1] if metadata_digests else None,
        },
        username=uploader.user.username,
    )
    _record_history(
        session, uploader, project, release.version, filename=filename, new_release=new_release
    )
    session.flush()
    return path


def _record_history(
    session: Session,
    uploader: Uploader,
    project: Project,
    version: str,
    *,
    filename: str,
    new_release: bool,
) -> None:
    """The project's audit history (who, from where, with which token); not the journal."""
    if new_release:
        uploader.event(session, "project:release:add", project, version=version)
    uploader.event(session, "project:file:add", project, version=version, filename=filename)


def _record_file(
    session: Session,
    project: Project,
    release: _ReleaseRecord,
    file: dict[str, object],
    *,
    username: str,
) -> None:
    """Step 26: a new release, the file row, its registry entry, the project size, the journal.

    Plain INSERT statements rather than ORM objects: the unit of work's
    bookkeeping cost several times what the statements themselves do, on
    every upload. The journal lock comes first, as in :func:`journal.record`,
    and the entries' ids follow the order they are written in.
    """
    journal.lock_journal(session)
    actions = []
    if release.id is None:
        release.id = session.execute(
            _INSERT_RELEASE, {"project_id": project.id, **release.values}
        ).inserted_primary_key[0]
        actions.append("new release")
    session.execute(_INSERT_FILE, {"release_id": release.id, **file})
    session.execute(_INSERT_REGISTRY, {"filename": file["filename"]})
    project.total_size = (project.total_size or 0) + file["size"]  # type: ignore[operator]
    actions.append(f"add {file['python_version']} file {file['filename']}")
    for action in actions:
        project.last_serial = session.execute(
            _INSERT_JOURNAL,
            {
                "name": project.name,
                "version": release.version,
                "action": action,
                "submitted_by": username,
            },
        ).inserted_primary_key[0]


def _project(
    session: Session, settings: ServerSettings, metadata: Metadata, uploader: Uploader
) -> Project:
    """Steps 7-8: find or register the project, then the token and role checks.

    The project and the uploader's role on it come in one query.
    """
    row = session.execute(
        _PROJECT_AND_ROLE,
        {"user_id": uploader.user.id, "name": canonicalize_name(metadata.name)},
    ).first()
    if row is None:
        try:
            project = create_project(session, settings, metadata.name, uploader.user)
        except ProjectCreationError as exc:
            raise UploadError(exc.status, exc.message) from None
        uploader.event(session, "project:create", project)
        role: str | None = OWNER
    else:
        project, role = row
    uploader.check_scope(project)
    if role not in (OWNER, MAINTAINER):
        raise UploadError(
            403,
            f"The user {uploader.user.username!r} isn't allowed to upload to project "
            f"{project.name!r}. See {settings.help_url}#project-name for more information.",
        )
    return project


@dataclass
class _ReleaseRecord:
    """The release a file goes to: an existing row's id, or a new row's values."""

    version: str
    id: int | None = None
    values: dict[str, object] = field(default_factory=dict)


def _release(
    session: Session,
    project: Project,
    metadata: Metadata,
    description_html: str | None,
    user: User,
) -> _ReleaseRecord:
    """Step 13: the release by canonical version; metadata only from its first upload.

    A new release is inserted with its file's row (same order, fewer
    statements); both are rolled back together if a later check fails.
    """
    canonical = canonicalize_version(metadata.version)
    existing = session.execute(
        _RELEASE, {"project_id": project.id, "canonical": canonical}
    ).first()
    if existing is not None:
        return _ReleaseRecord(version=existing.version, id=existing.id)
    version = str(metadata.version)
    return _ReleaseRecord(
        version=version,
        values={
            "version": version,
            "canonical_version": canonical,
            "is_prerelease": metadata.version.is_prerelease,
            "uploader_id": user.id,
            "metadata_version": metadata.metadata_version,
            "summary": metadata.summary,
            "description": metadata.description,
            "description_content_type": metadata.description_content_type,
            "description_html": description_html,
            "keywords": ", ".join(metadata.keywords) if metadata.keywords else None,
            "author": metadata.author,
            "author_email": metadata.author_email,
            "maintainer": metadata.maintainer,
            "maintainer_email": metadata.maintainer_email,
            "license": metadata.license,
            "license_expression": metadata.license_expression,
            "home_page": metadata.home_page,
            "download_url": metadata.download_url,
            "requires_python": (
                str(metadata.requires_python) if metadata.requires_python else None
            ),
            "classifiers": list(metadata.classifiers or []),
            "requires_dist": [str(r) for r in metadata.requires_dist or []],
            "provides_extra": [str(e) for e in metadata.provides_extra or []],
            "project_urls": [f"{k}, {v}" for k, v in (metadata.project_urls or {}).items()],
            "license_files": list(metadata.license_files or []),
            "platform": list(metadata.platforms or []),
            "dynamic": list(metadata.dynamic or []),
        },
    )


def _has_sdist(session: Session, release: _ReleaseRecord) -> bool:
    """Whether the release already has an sdist (a new one has no files yet)."""
    if release.id is None:
        return False
    return session.scalar(_SDIST, {"release_id": release.id}) is not None


def _check_size(settings: ServerSettings, project: Project, size: int, *, too_large: bool) -> None:
    """Step 16: PyPI's per-file and per-project limits, with its texts."""
    if too_large or size > settings.max_file_size:
        raise bad_request(
            f"File too large. Limit for project {project.name!r} is "
            f"{settings.max_file_size // MIB} MB. See {LIMITS_HELP}"
            "#requesting-a-file-size-limit-increase for more information."
        )
    if (project.total_size or 0) + size > settings.max_project_size:
        raise bad_request(
            f"Project size too large. Limit for project {project.name!r} total size is "
            f"{settings.max_project_size // GIB} GB. See {LIMITS_HELP}"
            "#requesting-a-project-size-limit-increase"
        )


def _check_duplicate(
    session: Session, settings: ServerSettings, filename: str, sha256: str, blake2: str
) -> None:
    """Step 18: the same name and bytes is a no-op; any other clash is refused."""
    existing = session.execute(_SAME_FILE, {"filename": filename, "blake2": blake2}).first()
    if existing is None:
        return
    if (
        existing.filename == filename
        and existing.sha256_digest == sha256
        and existing.blake2_256_digest == blake2
    ):
        raise NoChange
    raise bad_request(
        f"File already exists ({filename!r}, with blake2_256 hash "
        f"{blake2!r}). See {settings.help_url}#file-name-reuse "
        "for more information."
    )
