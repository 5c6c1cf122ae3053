"""Where the release comes from: a project folder, or dist files the user already built."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pypidesk.publish.errors import NotAProjectError

#: What an index takes (PEP 527 and 715): wheels and .tar.gz sdists (.zip only for old sdists).
DIST_SUFFIXES = (".whl", ".tar.gz", ".zip")


def project_folder(folder: Path) -> Path:
    """``folder`` resolved, if it holds a project ``build`` can build; else NotAProjectError."""
    folder = folder.expanduser().resolve()
    if not any((folder / marker).is_file() for marker in ("pyproject.toml", "setup.py")):
        raise NotAProjectError(folder)
    return folder


def is_dist_file(path: Path) -> bool:
    return path.is_file() and path.name.endswith(DIST_SUFFIXES)


def dist_files(paths: Iterable[Path]) -> list[Path]:
    """The distribution files among ``paths`` (a dropped folder counts by its contents), sorted."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.iterdir() if is_dist_file(p))
        elif is_dist_file(path):
            found.add(path)
    return sorted(found, key=lambda p: p.name)
