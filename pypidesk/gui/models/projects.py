"""The Projects page's three lists: my projects, a project's releases, a release's files."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt

from pypidesk.client.models import DistFile, FileKind, ProjectSummary, ReleaseInfo
from pypidesk.client.parsing import version_sort_key
from pypidesk.gui.formatting import exact_time, human_size, relative_time
from pypidesk.gui.models.record_table import Column, RecordTableModel

RIGHT = Qt.AlignmentFlag.AlignRight


def _tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("ProjectsModels", text, None, n)


def _unknown() -> str:
    return _tr("unknown")


class ProjectsModel(RecordTableModel[ProjectSummary]):
    """Name, my role, latest version, last upload; filtered by name."""

    NAME, ROLE, LATEST, UPLOADED = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(_tr("Project"), lambda p: p.name, sort_key=lambda p: p.name.lower()),
                Column(
                    _tr("My role"),
                    lambda p: p.role or _unknown(),
                    sort_key=lambda p: p.role,
                    tooltip=lambda p: None if p.role else _tr("This index does not say."),
                    unknown=lambda p: p.role is None,
                ),
                Column(
                    _tr("Latest"),
                    lambda p: p.latest_version or _unknown(),
                    sort_key=lambda p: p.latest_version,
                    unknown=lambda p: p.latest_version is None,
                ),
                Column(
                    _tr("Last upload"),
                    lambda p: relative_time(p.last_upload),
                    sort_key=lambda p: p.last_upload,
                    tooltip=lambda p: exact_time(p.last_upload),
                    unknown=lambda p: p.last_upload is None,
                ),
            ],
            search_text=lambda p: p.name,
            parent=parent,
        )


def release_status(release: ReleaseInfo) -> str:
    if release.yanked is None:
        return _unknown()
    if not release.yanked:
        return "—"
    if release.yanked_reason:
        return _tr("yanked: %1").replace("%1", release.yanked_reason)
    return _tr("yanked")


class ReleasesModel(RecordTableModel[ReleaseInfo]):
    """Version, date, number of files, yanked (with the reason)."""

    VERSION, DATE, FILES, STATUS = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(
                    _tr("Version"),
                    lambda r: r.version,
                    sort_key=lambda r: version_sort_key(r.version),
                ),
                Column(
                    _tr("Date"),
                    lambda r: relative_time(r.upload_time),
                    sort_key=lambda r: r.upload_time,
                    tooltip=lambda r: exact_time(r.upload_time),
                    unknown=lambda r: r.upload_time is None,
                ),
                Column(
                    _tr("Files"),
                    lambda r: str(len(r.files)),
                    sort_key=lambda r: len(r.files),
                    alignment=RIGHT,
                ),
                Column(
                    _tr("Status"),
                    release_status,
                    tooltip=lambda r: (
                        None
                        if r.yanked is not None
                        else _tr("This index does not say whether the release is yanked.")
                    ),
                    unknown=lambda r: r.yanked is None,
                ),
            ],
            search_text=lambda r: r.version,
            parent=parent,
        )


KIND_NAMES = {FileKind.SDIST: "sdist", FileKind.WHEEL: "wheel", FileKind.OTHER: "other"}


class FilesModel(RecordTableModel[DistFile]):
    """Filename, kind, Python tag, size, upload time, sha256."""

    FILENAME, KIND, PYTHON, SIZE, UPLOADED, SHA256 = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(_tr("File"), lambda f: f.filename, tooltip=lambda f: f.url),
                Column(_tr("Kind"), lambda f: KIND_NAMES[f.kind]),
                Column(
                    _tr("Python"),
                    lambda f: f.python_tag or _unknown(),
                    sort_key=lambda f: f.python_tag,
                    unknown=lambda f: f.python_tag is None,
                ),
                Column(
                    _tr("Size"),
                    lambda f: human_size(f.size),
                    sort_key=lambda f: f.size,
                    tooltip=lambda f: None if f.size is None else f"{f.size:,} B",
                    unknown=lambda f: f.size is None,
                    alignment=RIGHT,
                ),
                Column(
                    _tr("Uploaded"),
                    lambda f: relative_time(f.upload_time),
                    sort_key=lambda f: f.upload_time,
                    tooltip=lambda f: exact_time(f.upload_time),
                    unknown=lambda f: f.upload_time is None,
                ),
                Column(
                    "sha256",
                    lambda f: f.sha256 or _unknown(),
                    sort_key=lambda f: f.sha256,
                    unknown=lambda f: f.sha256 is None,
                ),
            ],
            search_text=lambda f: f.filename,
            parent=parent,
        )
