"""The Check step: what would go wrong with each file, said before any byte is sent.

Three kinds of check, per file:

- twine's own (``twine check``): the metadata parses and validates, and the
  long description renders as PyPI will render it (readme_renderer);
- PyPI's name and version rules through ``packaging``: the filename parses as a
  wheel or sdist name, agrees with the metadata, and the version is PEP 440
  without a local part (PyPI refuses ``1.0+local``);
- the target: a file of that name already there with the same bytes will be
  skipped (the index answers 200 and changes nothing); with other bytes it will
  be refused, and no upload can change that, so it is said now.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    canonicalize_version,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version
from twine.commands import check as twine_check

from pypidesk.client.errors import NotFoundError
from pypidesk.client.index_client import IndexClient
from pypidesk.client.profiles import Profile
from pypidesk.publish.distfile import DistInfo, inspect
from pypidesk.publish.errors import InvalidDistError


class OnTarget(enum.Enum):
    NEW = "new"
    #: Same filename and bytes: the index answers 200 and keeps what it has.
    SAME = "same"
    #: Same filename with other bytes, or these bytes under another name: refused.
    DIFFERENT = "different"


@dataclasses.dataclass(frozen=True, slots=True)
class FileCheck:
    path: Path
    dist: DistInfo | None
    #: Sentences that stop this file from being published.
    problems: tuple[str, ...] = ()
    #: Sentences worth reading that do not stop it (a missing description).
    warnings: tuple[str, ...] = ()
    on_target: OnTarget = OnTarget.NEW

    @property
    def ok(self) -> bool:
        return self.dist is not None and not self.problems

    @property
    def filename(self) -> str:
        return self.path.name


def name_and_version_problems(dist: DistInfo) -> list[str]:
    """PyPI's filename and version rules, checked with ``packaging``."""
    problems: list[str] = []
    try:
        if dist.filetype == "bdist_wheel":
            name, version, _build, _tags = parse_wheel_filename(dist.filename)
        else:
            name, version = parse_sdist_filename(dist.filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion) as exc:
        return [f"The file name is not one an index accepts: {exc}"]
    if name != canonicalize_name(dist.name):
        problems.append(
            f"The file name says project “{name}” but its metadata says “{dist.name}”."
        )
    try:
        meta_version = Version(dist.version)
    except InvalidVersion:
        return [*problems, f"“{dist.version}” is not a valid PEP 440 version."]
    if canonicalize_version(version) != canonicalize_version(meta_version):
        problems.append(
            f"The file name says version {version} but its metadata says {dist.version}."
        )
    if meta_version.local is not None:
        problems.append(
            f"Version {dist.version} has a local part (+{meta_version.local}): "
            "PyPI refuses local versions. Drop the part after “+”."
        )
    return problems


def description_check(path: Path) -> tuple[list[str], list[str]]:
    """twine's check of the long description: (problems, warnings)."""
    stream = twine_check._WarningStream()  # twine check's own logic
    warnings, renders = twine_check._check_file(str(path), stream)
    problems = []
    if not renders:
        problems.append(
            "The description will not render on PyPI (its page would show the raw text): "
            + (str(stream) or "invalid markup")
        )
    return problems, list(warnings)


def check_file(path: Path) -> FileCheck:
    """Every check of one file that needs no index (blocking: run it in a thread)."""
    try:
        dist = inspect(path)
    except InvalidDistError as exc:
        return FileCheck(path, None, problems=(exc.reason,))
    problems = name_and_version_problems(dist)
    description_problems, warnings = description_check(path)
    problems += description_problems
    return FileCheck(path, dist, tuple(problems), tuple(warnings))


def with_target(check: FileCheck, existing: Mapping[str, str | None]) -> FileCheck:
    """``check`` with where its file stands on the target (``{filename: sha256}``)."""
    if check.dist is None:
        return check
    on_target = target_state(check.dist, existing)
    problems = check.problems
    if on_target is OnTarget.DIFFERENT:
        problems += (
            "The index already has a file of this name with other bytes (or these bytes "
            "under another name): it will refuse this one. Bump the version and build again.",
        )
    return dataclasses.replace(check, problems=problems, on_target=on_target)


def target_state(dist: DistInfo, existing: Mapping[str, str | None]) -> OnTarget:
    """Where ``dist`` stands on the target, from the target's ``{filename: sha256}``."""
    if dist.filename in existing:
        same = existing[dist.filename] in (None, dist.sha256)
        # An index that gives no digest (rare) cannot be second-guessed: say "same".
        return OnTarget.SAME if same else OnTarget.DIFFERENT
    if dist.sha256 in existing.values():
        return OnTarget.DIFFERENT
    return OnTarget.NEW


async def existing_files(
    http: httpx.AsyncClient, profile: Profile, name: str, token: str | None = None
) -> dict[str, str | None]:
    """``{filename: sha256}`` of project ``name`` on ``profile`` (JSON API, else Simple API)."""
    client = IndexClient(http, profile, token=token)
    try:
        detail = await client.project(name)
    except NotFoundError:
        return {}
    return {f.filename: f.sha256 for release in detail.releases for f in release.files}


async def check_files(
    http: httpx.AsyncClient,
    profile: Profile,
    paths: Sequence[Path],
    token: str | None = None,
) -> list[FileCheck]:
    """Check every file against ``profile``; reading files happens off the loop."""
    local = await asyncio.gather(*(asyncio.to_thread(check_file, p) for p in paths))
    existing: dict[str, str | None] = {}
    for name in sorted({c.dist.name for c in local if c.dist is not None}):
        existing.update(await existing_files(http, profile, name, token))
    return [with_target(c, existing) for c in local]
