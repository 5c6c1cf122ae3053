"""``pypidesk admin import``: every file of a source through the upload checks, one by one.

Each file is one upload transaction of :func:`~pypidesk.index.upload.service.store_upload`,
the code ``POST /legacy/`` runs, with the administrator's owner as uploader:
PyPI's checks in PyPI's order, the source's hashes as the upload's digests
(so a file that does not match them is refused with PyPI's text), the file
moved into place only after its row is committed. An interrupted import
therefore leaves every file either fully imported or not at all, and a
second run skips what is there by filename before fetching anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import func, select

from pypidesk.index.admin.import_metadata import MetadataUnreadable, upload_fields
from pypidesk.index.admin.import_sources import FetchError, Source, SourceFile
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import File, User
from pypidesk.index.errors import ServerError
from pypidesk.index.settings import MIB, ServerSettings
from pypidesk.index.storage import LocalFileStorage
from pypidesk.index.upload.multipart import ReceivedForm
from pypidesk.index.upload.records import ProjectRecord, UploadRecords, UserRecord
from pypidesk.index.upload.renderer import DescriptionRenderer
from pypidesk.index.upload.service import Uploader, store_upload


class OwnerError(ServerError):
    """The ``--owner`` user does not exist."""


class Status(StrEnum):
    IMPORTED = "imported"
    SKIPPED = "skipped"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one file, and why (empty for an import)."""

    filename: str
    status: Status
    reason: str = ""


@dataclass
class Summary:
    """Every file's outcome, in the order they were imported."""

    outcomes: list[Outcome] = field(default_factory=list)

    def of(self, status: Status) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status is status]

    def counts(self) -> tuple[int, int, int]:
        """How many files were imported, skipped and refused."""
        return tuple(len(self.of(status)) for status in Status)  # type: ignore[return-value]

    def refusals(self) -> list[Outcome]:
        return self.of(Status.REFUSED)


def find_owner(database: Database, username: str) -> UserRecord:
    """The user named ``username`` (any case), as the upload path takes it."""
    with database.read() as session:
        row = session.execute(
            select(User.id, User.uuid, User.username).where(
                func.lower(User.username) == username.lower()
            )
        ).first()
    if row is None:
        raise OwnerError(
            f"No user named {username!r}; create it with `pypidesk admin create-user`."
        )
    return UserRecord(row[0], row[1], row[2])


def _ignore_scope(_project: ProjectRecord) -> None:
    """The administrator is not limited to a token's projects."""


class Importer:
    """Imports files of one source into one index, as ``owner``."""

    def __init__(
        self,
        database: Database,
        settings: ServerSettings,
        storage: LocalFileStorage,
        owner: UserRecord,
        renderer: DescriptionRenderer,
    ) -> None:
        self.database = database
        self.settings = settings
        self.storage = storage
        self.owner = owner
        self.renderer = renderer
        with database.read() as session:
            rows = session.execute(select(File.filename, File.sha256_digest))
            self.existing: dict[str, str] = {row[0]: row[1] for row in rows}

    def run(
        self,
        source: Source,
        summary: Summary,
        report: Callable[[Outcome], None] = lambda _outcome: None,
        started: Callable[[int], None] = lambda _total: None,
    ) -> Summary:
        """Import every file of ``source``, oldest first, each outcome into ``summary``.

        ``summary`` is filled as files are done, so that an interrupted run
        still says what it did. ``started`` hears how many files there are
        once they are listed, ``report`` of each file when done (a progress bar).
        """
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        files = sorted(
            source.files(),
            key=lambda f: (f.upload_time is None, f.upload_time or epoch, f.filename),
        )
        started(len(files))
        for where, why in source.problems():
            outcome = Outcome(where, Status.REFUSED, why)
            summary.outcomes.append(outcome)
            report(outcome)
        for file in files:
            outcome = self.import_one(source, file)
            summary.outcomes.append(outcome)
            report(outcome)
        return summary

    def import_one(self, source: Source, file: SourceFile) -> Outcome:
        """Import one file; never raises for a file the index refuses."""
        known = self.existing.get(file.filename)
        if known is not None and file.sha256 in (None, known):
            return Outcome(file.filename, Status.SKIPPED, "already in the index")
        content = self.storage.incoming(self.settings.max_file_size)
        try:
            try:
                learnt = source.copy_into(file, content)
            except FetchError as exc:
                return Outcome(file.filename, Status.REFUSED, str(exc))
            if content.too_large:
                limit = self.settings.max_file_size // MIB
                return Outcome(file.filename, Status.REFUSED, f"File too large (over {limit} MB).")
            digests = content.finish()
            try:
                fields = upload_fields(content.read_path(), file.filename)
            except MetadataUnreadable as exc:
                return Outcome(file.filename, Status.REFUSED, f"Invalid distribution file: {exc}")
            # The source's hashes are the upload's digests: upload check 17
            # compares them with the bytes received, with PyPI's text.
            fields["sha256_digest"] = [file.sha256 or digests.sha256]
            if file.md5:
                fields["md5_digest"] = [file.md5]
            received = ReceivedForm(
                fields=fields,
                content=content,
                filename=file.filename,
                content_type="application/octet-stream",
            )
            content.sync_in_background()
            uploader = Uploader(
                self.owner,
                _ignore_scope,
                upload_time=file.upload_time or learnt,
                administrator=True,
            )

            def identify(_records: UploadRecords) -> Uploader:
                return uploader

            result = store_upload(self.database, self.settings, received, identify, self.renderer)
        finally:
            content.discard()
        if result.status != 200:
            return Outcome(file.filename, Status.REFUSED, result.message)
        self.existing[file.filename] = digests.sha256
        return Outcome(file.filename, Status.IMPORTED)
