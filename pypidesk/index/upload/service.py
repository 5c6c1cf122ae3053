"""The upload itself: PyPI's validation order, the records, the journal.

The checks are numbered as in docs/pypi-behaviour.md ("Order of checks").

:func:`process_upload` runs inside one write transaction after the body has
been received. It raises a :class:`~pypidesk.index.errors.RefusedError` (an
:class:`UploadError`, or the refusal of the auth or records code it calls)
with PyPI's status and text for the first failed step, :class:`NoChange` for
a byte-identical re-upload (the caller rolls back and answers 200), or
returns the storage path the caller moves the file to once the transaction
has committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from packaging.metadata import Metadata
from packaging.utils import canonicalize_name, canonicalize_version
from sqlalchemy.exc import IntegrityError

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import User, utcnow
from pypidesk.index.errors import RefusedError
from pypidesk.index.records import flags
from pypidesk.index.records.changes import ChangedProject
from pypidesk.index.records.projects import create_project
from pypidesk.index.records.role_names import ROLE_NAMES, RoleName
from pypidesk.index.settings import GIB, MIB, ServerSettings
from pypidesk.index.storage import storage_path
from pypidesk.index.upload import archives, filenames
from pypidesk.index.upload.errors import UploadError, bad_request
from pypidesk.index.upload.form import (
    check_file_fields,
    check_protocol,
    sanitize,
    validate_form,
)
from pypidesk.index.upload.long_description import PreparedDescription, prepare_description
from pypidesk.index.upload.metadata import parse_metadata
from pypidesk.index.upload.multipart import ReceivedForm
from pypidesk.index.upload.records import (
    DriverTime,
    EventValues,
    FileValues,
    JournalValues,
    ProjectRecord,
    ReleaseValues,
    StoredRelease,
    UploadRecords,
    UserRecord,
)
from pypidesk.index.upload.renderer import DescriptionRenderer

LIMITS_HELP = "https://docs.pypi.org/project-management/storage-limits"
# Files may be added to a release for this long after it was created (PyPI's rule).
RELEASE_OPEN_FOR = dt.timedelta(days=14)


class NoChange(Exception):  # noqa: N818 - a signal, not an error
    """The identical file is already stored: answer 200 and change nothing."""


@dataclass(frozen=True)
class Uploader:
    """Who uploads, and the token check for the project they upload to."""

    user: User | UserRecord
    check_scope: Callable[[ProjectRecord], None]
    # For the project's history (pypidesk.index.records.events): from where, with which token.
    token_name: str | None = None
    ip_address: str | None = None
    # The PEP 694 publishing session this upload belongs to (None: the legacy API).
    staging_session: int | None = None
    # ``pypidesk admin import``: the administrator brings history over. The file
    # keeps the upload time its source gives (PEP 700), a release made by it is
    # dated so, and neither the per-user limit on new projects nor the 14-day
    # rule (meant for new files, not for copying old ones) applies.
    upload_time: dt.datetime | None = None
    administrator: bool = False

    def event(
        self, records: UploadRecords, tag: str, project: ProjectRecord, **additional: str
    ) -> None:
        """What :func:`~pypidesk.index.records.events.record_event` writes, on this connection."""
        records.insert_event(
            EventValues(
                tag=tag,
                project_normalized_name=project.normalized_name,
                username=self.user.username,
                time=records.now,
                ip_address=self.ip_address,
                token_name=self.token_name,
                additional=additional,
            )
        )


@dataclass(frozen=True)
class UploadResult:
    """The answer to the client: 200 with no text, or PyPI's status and text."""

    status: int
    message: str = ""


OK = UploadResult(200)
# Concurrent inserts of the same file on PostgreSQL: the loser retries and finds it.
ATTEMPTS = 3


def flags_error(records: UploadRecords, settings: ServerSettings) -> UploadError | None:
    """Upload check 1: PyPI's kill switches for uploads (both read in one query)."""
    enabled = records.enabled_flags()
    for flag_id in (flags.READ_ONLY, flags.DISALLOW_NEW_UPLOAD):
        if flag_id in enabled:
            return UploadError(403, flags.message(flag_id, settings.help_url))
    return None


def store_upload(
    database: Database,
    settings: ServerSettings,
    received: ReceivedForm,
    identify: Callable[[UploadRecords], Uploader],
    renderer: DescriptionRenderer,
) -> UploadResult:
    """Check and record ``received`` in one transaction; move the file after commit.

    ``identify`` authenticates inside the transaction (raising a RefusedError).
    The description is rendered first, by ``renderer``, outside the
    transaction: a slow render holds neither the write lock nor the loop.
    A crash between commit and the final rename is repaired at start-up by
    :meth:`LocalFileStorage.sweep`, which finds the staged file and its row.
    """
    # The statements run on the driver, which raises its own IntegrityError.
    conflicts = (IntegrityError, database.engine.dialect.loaded_dbapi.IntegrityError)
    description = prepare_description(received.fields, settings, renderer)
    for attempt in range(ATTEMPTS):
        try:
            with database.write_connection() as connection:
                records = UploadRecords(connection)
                refused = flags_error(records, settings)
                if refused is not None:
                    raise refused
                path = process_upload(records, settings, received, identify(records), description)
                records.close()
                assert received.content is not None  # process_upload checked it
                received.content.stage()
            changes = records.changes
        except NoChange:
            return OK
        except RefusedError as exc:
            return UploadResult(exc.status, exc.message)
        except conflicts:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        received.content.commit(path)
        database.committed(changes)
        return OK
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check: the rows :func:`record_upload` writes."""

    project: ProjectRecord
    release: StoredRelease | ReleaseValues
    file: FileValues


def process_upload(
    records: UploadRecords,
    settings: ServerSettings,
    received: ReceivedForm,
    uploader: Uploader,
    description: PreparedDescription,
) -> str:
    """Validate and record one upload; returns the file's storage path."""
    checked = check_upload(records, settings, received, uploader, description)
    record_upload(records, uploader, checked)
    return checked.file.path


def check_upload(
    records: UploadRecords,
    settings: ServerSettings,
    received: ReceivedForm,
    uploader: Uploader,
    description: PreparedDescription,
    *,
    checked_archive: bytes | None = None,
    parsed: Metadata | None = None,
) -> CheckedUpload:
    """Upload checks 3-25, in PyPI's order; nothing is recorded but a new project.

    PEP 694 file upload sessions run these same checks when a staged file is
    completed (in a transaction rolled back afterwards), and again, with
    :func:`record_upload`, when the session is published: then with
    ``checked_archive``, the core metadata of bytes whose archive checks
    (which depend on nothing but the bytes) passed at completion, so that
    they are not read again; and with ``parsed``, what :func:`parse_metadata`
    gave for the same metadata fields (a release's files mostly share their
    core metadata, which a publish then parses once).
    """
    check_file_fields(received.file_fields)
    fields = sanitize(received.fields)
    check_protocol(fields)
    form = validate_form(fields)
    metadata = parse_metadata(fields) if parsed is None else parsed
    content = received.content
    if content is None or received.filename is None:
        raise bad_request("Upload payload does not have a file.")
    project = _project(records, settings, metadata, uploader)
    project.name = metadata.name
    description_html = description.result(metadata)
    release = _release(records, project, metadata, description_html, uploader.user)
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
    _check_reserved(records, filename, uploader)
    _check_duplicate(records, settings, filename, digests.sha256, digests.blake2_256)
    if records.is_registered(filename):
        raise bad_request(
            "This filename was previously used by a file that has since been deleted. "
            f"Use a different version. See {settings.help_url}#file-name-reuse "
            "for more information."
        )
    if (
        isinstance(release, StoredRelease)
        and not uploader.administrator
        and utcnow() - release.created > RELEASE_OPEN_FOR
    ):
        # PyPI's stopgap until PEP 694 defines closing a release (July 2026).
        raise bad_request("Uploading new files to releases older than 14 days is not allowed.")
    if form.filetype == "sdist" and _has_sdist(records, release):
        raise bad_request("Only one sdist may be uploaded per release.")
    wheel = form.filetype == "bdist_wheel"
    contents = None
    if checked_archive is None:
        contents = archives.check_archive(content.read_path(), filename)
        if wheel:
            archives.check_wheel_members(contents, filename)
    if wheel:
        filenames.check_wheel_filename(filename, project.name, metadata.version)
        # A wheel's core metadata is its METADATA file.
        wheel_metadata = (
            archives.read_wheel_metadata(contents, filename)
            if contents is not None
            else checked_archive
        )
        assert wheel_metadata is not None  # one of the two is given
        content.add_metadata(wheel_metadata)
        metadata_digests = (
            hashlib.sha256(wheel_metadata).hexdigest(),
            hashlib.blake2b(wheel_metadata, digest_size=32).hexdigest(),
        )
    else:
        metadata_digests = None
        filenames.check_sdist_filename(filename, project.name, metadata.version)
    if contents is not None:
        archives.check_license_files(contents, filename, metadata.license_files or [], wheel=wheel)
    if "attestations" in fields:
        # PEP 740 attestations come only with Trusted Publishing, which this
        # index does not offer; PyPI refuses them from API-token uploads.
        raise bad_request(
            "Invalid attestations supplied during upload: Attestations are only supported "
            "when using Trusted Publishing"
        )
    upload_time, release = _dated(records, uploader, release)
    return CheckedUpload(
        project,
        release,
        FileValues(
            filename=filename,
            path=storage_path(digests.blake2_256, filename),
            size=content.size,
            md5_digest=digests.md5,
            sha256_digest=digests.sha256,
            blake2_256_digest=digests.blake2_256,
            packagetype=form.filetype,
            python_version=form.pyversion,
            requires_python=str(metadata.requires_python) if metadata.requires_python else None,
            comment_text=form.comment,
            uploader_id=uploader.user.id,
            upload_time=upload_time,
            metadata_sha256_digest=metadata_digests[0] if metadata_digests else None,
            metadata_blake2_256_digest=metadata_digests[1] if metadata_digests else None,
        ),
    )


def record_upload(records: UploadRecords, uploader: Uploader, checked: CheckedUpload) -> None:
    """Upload check 26 and the project's history: the rows of a checked upload."""
    new_release = isinstance(checked.release, ReleaseValues)
    _record_file(
        records, checked.project, checked.release, checked.file, username=uploader.user.username
    )
    _record_history(
        records,
        uploader,
        checked.project,
        checked.release.version,
        filename=checked.file.filename,
        new_release=new_release,
    )


def _check_reserved(records: UploadRecords, filename: str, uploader: Uploader) -> None:
    """PEP 694: a filename held by a publish in progress is refused with 409.

    The publishing session's own checks pass (it holds the reservation).
    """
    holder = records.reservation(filename)
    if holder is not None and holder != uploader.staging_session:
        raise UploadError(
            409,
            f"The file {filename!r} is being published by a publishing session. "
            "Try again in a moment.",
        )


def _dated(
    records: UploadRecords, uploader: Uploader, release: StoredRelease | ReleaseValues
) -> tuple[DriverTime, StoredRelease | ReleaseValues]:
    """The file's upload time, and a new release dated by it: now, or the imported file's."""
    if uploader.upload_time is None:
        return records.now, release
    upload_time = records.timestamp(uploader.upload_time)
    if isinstance(release, ReleaseValues):
        release = release._replace(created=upload_time)
    return upload_time, release


def _record_history(
    records: UploadRecords,
    uploader: Uploader,
    project: ProjectRecord,
    version: str,
    *,
    filename: str,
    new_release: bool,
) -> None:
    """The project's audit history (who, from where, with which token); not the journal."""
    if new_release:
        uploader.event(records, "project:release:add", project, version=version)
    uploader.event(records, "project:file:add", project, version=version, filename=filename)


def _record_file(
    records: UploadRecords,
    project: ProjectRecord,
    release: StoredRelease | ReleaseValues,
    file: FileValues,
    *,
    username: str,
) -> None:
    """Upload check 26: a new release, the file row, its registry entry, project size, journal.

    The journal lock comes first, as in :func:`pypidesk.index.records.journal.record`,
    and the entries' ids follow the order they are written in.
    """
    records.lock_journal()
    actions = []
    if isinstance(release, ReleaseValues):
        release_id = records.insert_release(project.id, release)
        actions.append("new release")
    else:
        release_id = release.id
    records.insert_file(release_id, file)
    project.total_size += file.size
    actions.append(f"add {file.python_version} file {file.filename}")
    last_serial = 0
    for action in actions:
        last_serial = records.insert_journal(
            JournalValues(
                name=project.name,
                version=release.version,
                action=action,
                submitted_at=records.now,
                submitted_by=username,
            )
        )
    records.update_project(project, last_serial)
    records.changes.append(
        ChangedProject(
            project.name, project.normalized_name, release.version, listing=project.created
        )
    )


def _project(
    records: UploadRecords, settings: ServerSettings, metadata: Metadata, uploader: Uploader
) -> ProjectRecord:
    """Upload checks 7-8: find or register the project, then the token and role checks.

    The project and the uploader's role on it come in one query. A new
    project is registered through the ORM (rare, and shared with the API).
    """
    normalized_name = canonicalize_name(metadata.name)
    found = records.project_and_role(uploader.user.id, normalized_name)
    if found is None:
        holder = records.name_reservation(normalized_name)
        if holder is not None and holder != uploader.staging_session:
            # PEP 694: a first-release session holds the new name until it ends.
            raise UploadError(
                409,
                f"The name {metadata.name!r} is reserved by a publishing session in progress. "
                f"See {settings.help_url}#project-name for more information.",
            )
        session = records.session
        created = create_project(
            session,
            settings,
            metadata.name,
            uploader.user,
            rate_limited=not uploader.administrator,
        )
        # Written now: the rest of the upload updates the row behind the ORM's back.
        session.flush()
        project = ProjectRecord(
            created.id,
            created.uuid,
            created.name,
            created.normalized_name,
            created.total_size,
            created=True,
        )
        uploader.event(records, "project:create", project)
        role: RoleName | None = RoleName.OWNER
    else:
        project, role = found
    uploader.check_scope(project)
    if role not in ROLE_NAMES:
        raise UploadError(
            403,
            f"The user {uploader.user.username!r} isn't allowed to upload to project "
            f"{project.name!r}. See {settings.help_url}#project-name for more information.",
        )
    return project


def _release(
    records: UploadRecords,
    project: ProjectRecord,
    metadata: Metadata,
    description_html: str | None,
    user: User | UserRecord,
) -> StoredRelease | ReleaseValues:
    """Upload check 13: the release by canonical version; metadata only from its first upload.

    A new release (its row's values are returned) is inserted with its file's
    row (same order, fewer statements); both are rolled back together if a
    later check fails.
    """
    canonical = canonicalize_version(metadata.version)
    existing = records.release(project.id, canonical)
    if existing is not None:
        return existing
    return ReleaseValues(
        version=str(metadata.version),
        canonical_version=canonical,
        is_prerelease=metadata.version.is_prerelease,
        created=records.now,
        uploader_id=user.id,
        metadata_version=metadata.metadata_version,
        summary=metadata.summary,
        description=metadata.description,
        description_content_type=metadata.description_content_type,
        description_html=description_html,
        keywords=", ".join(metadata.keywords) if metadata.keywords else None,
        author=metadata.author,
        author_email=metadata.author_email,
        maintainer=metadata.maintainer,
        maintainer_email=metadata.maintainer_email,
        license=metadata.license,
        license_expression=metadata.license_expression,
        home_page=metadata.home_page,
        download_url=metadata.download_url,
        requires_python=str(metadata.requires_python) if metadata.requires_python else None,
        classifiers=list(metadata.classifiers or []),
        requires_dist=[str(r) for r in metadata.requires_dist or []],
        provides_extra=[str(e) for e in metadata.provides_extra or []],
        project_urls=[f"{k}, {v}" for k, v in (metadata.project_urls or {}).items()],
        license_files=list(metadata.license_files or []),
        platform=list(metadata.platforms or []),
        dynamic=list(metadata.dynamic or []),
        yanked=False,
        yanked_reason="",
    )


def _has_sdist(records: UploadRecords, release: StoredRelease | ReleaseValues) -> bool:
    """Whether the release already has an sdist (a new one has no files yet)."""
    return isinstance(release, StoredRelease) and records.has_sdist(release.id)


def _check_size(
    settings: ServerSettings, project: ProjectRecord, size: int, *, too_large: bool
) -> None:
    """Upload check 16: PyPI's per-file and per-project limits, with its texts."""
    if too_large or size > settings.max_file_size:
        raise bad_request(
            f"File too large. Limit for project {project.name!r} is "
            f"{settings.max_file_size // MIB} MB. See {LIMITS_HELP}"
            "#requesting-a-file-size-limit-increase for more information."
        )
    if project.total_size + size > settings.max_project_size:
        raise bad_request(
            f"Project size too large. Limit for project {project.name!r} total size is "
            f"{settings.max_project_size // GIB} GB. See {LIMITS_HELP}"
            "#requesting-a-project-size-limit-increase"
        )


def _check_duplicate(
    records: UploadRecords, settings: ServerSettings, filename: str, sha256: str, blake2: str
) -> None:
    """Upload check 18: the same name and bytes is a no-op; any other clash is refused."""
    existing = records.same_file(filename, blake2)
    if existing is None:
        return
    if existing == (filename, sha256, blake2):
        raise NoChange
    raise bad_request(
        f"File already exists ({filename!r}, with blake2_256 hash "
        f"{blake2!r}). See {settings.help_url}#file-name-reuse "
        "for more information."
    )
