"""Typed results of the read side: what an index says about projects, releases and files.

Plain frozen dataclasses, no Qt: the GUI's table models hold these, a script
can print them. ``None`` always means "this index does not say" (pypiserver has
no roles, no upload times, no yanks), never "no".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum


class FileKind(enum.Enum):
    SDIST = "sdist"
    WHEEL = "wheel"
    OTHER = "other"


@dataclasses.dataclass(frozen=True, slots=True)
class Capabilities:
    """What an index offers beyond the Simple API, found by asking it."""

    #: pypidesk's maintainer API (``/api/v1/``): roles, yanks, tokens, collaborators.
    maintainer_api: bool
    #: XML-RPC ``user_packages`` (PyPI and TestPyPI only; deprecated but still served).
    xmlrpc_user_packages: bool


@dataclasses.dataclass(frozen=True, slots=True)
class ProjectSummary:
    """One row of "my projects"."""

    name: str
    #: "Owner", "Maintainer", or None when the index does not say.
    role: str | None = None
    latest_version: str | None = None
    last_upload: dt.datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class DistFile:
    """One distribution file of a release."""

    filename: str
    url: str
    kind: FileKind
    #: The upload's ``pyversion``: "source" for an sdist, "py3", "cp312", ...
    python_tag: str | None
    size: int | None
    upload_time: dt.datetime | None
    sha256: str | None
    yanked: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """One version of a project with its files."""

    version: str
    files: tuple[DistFile, ...]
    #: None when the index has no notion of yanking for this release (never "not yanked").
    yanked: bool | None
    yanked_reason: str | None = None

    @property
    def upload_time(self) -> dt.datetime | None:
        """When the release's first file arrived, which is what PyPI calls its date."""
        times = [f.upload_time for f in self.files if f.upload_time is not None]
        return min(times) if times else None


@dataclasses.dataclass(frozen=True, slots=True)
class ProjectDetail:
    """A project's releases (newest first) and its latest release's description."""

    name: str
    releases: tuple[ReleaseInfo, ...]
    summary: str | None = None
    #: The latest release's long description and its content type, as uploaded.
    description: str | None = None
    description_content_type: str | None = None
    #: The index's own page for the project, when it has one.
    project_url: str | None = None
    #: "json" (PyPI's JSON API) or "simple" (only the Simple API answered).
    source: str = "json"
    serial: int | None = None
    #: The index's own choice of latest (PyPI skips yanked releases and pre-releases).
    latest: str | None = None

    @property
    def latest_version(self) -> str | None:
        """The index's latest; without one, the highest version."""
        if self.latest is not None:
            return self.latest
        return self.releases[0].version if self.releases else None
