"""Add or replace one index's section in ``~/.pypirc``, showing the change first.

twine reads ``~/.pypirc`` with configparser (no interpolation); so do we, so
the file we write means to twine what we meant. configparser does not keep
comments, which is why :meth:`PypircChange.diff` exists: the user sees every
line that changes, comments included, before anything is written.
"""

from __future__ import annotations

import configparser
import dataclasses
import difflib
import io
import os
import re
from collections.abc import Mapping
from pathlib import Path

DISTUTILS = "distutils"
INDEX_SERVERS = "index-servers"
# What twine assumes when the file has no [distutils] index-servers.
DEFAULT_SERVERS = ("pypi", "testpypi")
MASK = "********"
PASSWORD_LINE = re.compile(r"^(\s*password\s*[=:]\s*)\S.*$", re.IGNORECASE)


class PypircError(Exception):
    """The existing file cannot be read as a .pypirc; the message says what to fix."""


def default_path() -> Path:
    return Path.home() / ".pypirc"


def _parser() -> configparser.RawConfigParser:
    return configparser.RawConfigParser()


def merge(text: str, section: str, values: Mapping[str, str]) -> str:
    """``text`` with ``section`` set to exactly ``values`` and listed in index-servers."""
    parser = _parser()
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise PypircError(f"The existing ~/.pypirc is not a valid INI file: {exc}") from exc
    if parser.has_option(DISTUTILS, INDEX_SERVERS):
        servers = parser.get(DISTUTILS, INDEX_SERVERS).split()
    else:
        servers = list(DEFAULT_SERVERS)
    if section not in servers:
        servers.append(section)
    if not parser.has_section(DISTUTILS):
        parser.add_section(DISTUTILS)
    parser.set(DISTUTILS, INDEX_SERVERS, "".join(f"\n{name}" for name in servers))
    parser.remove_section(section)
    parser.add_section(section)
    for key, value in values.items():
        parser.set(section, key, value)
    output = io.StringIO()
    parser.write(output)
    return output.getvalue().rstrip("\n") + "\n"


def mask_passwords(text: str) -> str:
    """``text`` with every ``password`` value hidden, for showing on screen."""
    return "".join(
        PASSWORD_LINE.sub(lambda m: m.group(1) + MASK, line)
        for line in text.splitlines(keepends=True)
    )


@dataclasses.dataclass(frozen=True, slots=True)
class PypircChange:
    """The file as it is and as it would be; nothing is written until :meth:`write`."""

    path: Path
    old: str
    new: str

    @property
    def exists(self) -> bool:
        return bool(self.old)

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def diff(self) -> str:
        """A unified diff with every password masked (other sections' too)."""
        lines = difflib.unified_diff(
            mask_passwords(self.old).splitlines(keepends=True),
            mask_passwords(self.new).splitlines(keepends=True),
            fromfile=str(self.path) if self.exists else "/dev/null",
            tofile=str(self.path),
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def write(self) -> None:
        """Replace the file in one step, readable by its owner only (it holds tokens)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".pypidesk-tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(self.new)
        temporary.chmod(0o600)  # O_CREAT's mode does not apply to an existing file
        temporary.replace(self.path)


def plan(path: Path, section: str, values: Mapping[str, str]) -> PypircChange:
    """What writing ``section`` into the file at ``path`` would change."""
    try:
        old = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise PypircError(f"Cannot read {path}: {exc}") from exc
    return PypircChange(path, old, merge(old, section, values))
