"""Checks of what a client declares before any byte is sent, and of the bytes once received.

The draft lets the index refuse early (name taken, size, filename); the
authoritative checks are the legacy upload's, run on completion and again
at publish (:mod:`pypidesk.index.staging.files`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    canonicalize_version,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from pypidesk.index.records.projects import is_valid_name
from pypidesk.index.settings import MIB, ServerSettings
from pypidesk.index.staging.problems import ProblemError
from pypidesk.index.storage import Digests
from pypidesk.index.upload.service import LIMITS_HELP

MECHANISM = "http-post-bytes"
# hashlib names that take no parameters; the draft wants one secure guaranteed algorithm.
_SECURE = frozenset(
    {"sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s"}
    | {"sha3_224", "sha3_256", "sha3_384", "sha3_512"}
)
_USABLE = frozenset(hashlib.algorithms_available) - {"shake_128", "shake_256"}
_HEX = re.compile(r"^[0-9a-fA-F]+$")
CHUNK = 1024 * 1024
_BLAKE2_256 = " blake2_256"  # not a hashlib name, so never a client's


def release_of(name: Any, version: Any) -> tuple[str, Version]:
    """The session's project name and version, or a 400 naming what is wrong."""
    errors = []
    if not isinstance(name, str) or not is_valid_name(name):
        errors.append(("name", f"{name!r} is not a valid project name."))
    parsed = None
    if not isinstance(version, str):
        errors.append(("version", f"{version!r} is not a valid version."))
    else:
        try:
            parsed = Version(version)
        except InvalidVersion:
            errors.append(("version", f"{version!r} is not a valid version."))
        else:
            if parsed.local:
                errors.append(
                    ("version", f"The use of local versions in {version!r} is not allowed.")
                )
    if errors or parsed is None:
        raise ProblemError(400, errors[0][1], errors=errors)
    assert isinstance(name, str)  # checked above
    return name, parsed


def check_filename(filename: Any, normalized_name: str, canonical_version: str) -> str:
    """The draft's filename rule, and the session's name and version in it."""
    if not isinstance(filename, str):
        raise ProblemError(
            400, "The filename must be a string.", errors=[("filename", "not a string")]
        )
    try:
        if filename.endswith(".whl"):
            name, version, _build, _tags = parse_wheel_filename(filename)
        elif filename.endswith(".tar.gz"):
            name, version = parse_sdist_filename(filename)
        else:
            raise InvalidSdistFilename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        message = (
            f"{filename!r} is neither a source distribution (.tar.gz) nor a wheel file name. "
            "See https://packaging.python.org/specifications/ for the formats."
        )
        raise ProblemError(400, message, errors=[("filename", message)]) from None
    errors = []
    if canonicalize_name(name) != normalized_name:
        errors.append(("filename", f"{filename!r} is not a file of project {normalized_name!r}."))
    if canonicalize_version(version) != canonical_version:
        errors.append(("filename", f"{filename!r} is not a file of this session's version."))
    if errors:
        raise ProblemError(400, errors[0][1], errors=errors)
    return filename


def check_size(size: Any, settings: ServerSettings, project_name: str) -> int:
    """A byte count within the per-file limit (PyPI's text)."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ProblemError(400, "The size must be a whole number of bytes.", errors=[("size", "")])
    if size > settings.max_file_size:
        message = (
            f"File too large. Limit for project {project_name!r} is "
            f"{settings.max_file_size // MIB} MB. See {LIMITS_HELP}"
            "#requesting-a-file-size-limit-increase for more information."
        )
        raise ProblemError(400, message, errors=[("size", message)])
    return size


def check_hashes(hashes: Any) -> dict[str, str]:
    """hashlib names to hex digests, at least one of them a secure guaranteed algorithm."""
    if not isinstance(hashes, dict) or not hashes:
        raise ProblemError(
            400, "hashes must map hash names to hex digests.", errors=[("hashes", "")]
        )
    errors = []
    for name, value in hashes.items():
        if name not in _USABLE:
            errors.append((f"hashes.{name}", f"{name!r} is not a hash algorithm of hashlib."))
        elif not isinstance(value, str) or not _HEX.match(value):
            errors.append((f"hashes.{name}", "The digest must be hex-encoded."))
    if not errors and not _SECURE & hashes.keys():
        errors.append(("hashes", "Include a secure hash (sha256 is recommended)."))
    if errors:
        raise ProblemError(400, errors[0][1], errors=errors)
    return {name: value.lower() for name, value in hashes.items()}


def digest_file(path: Path, declared: dict[str, str]) -> tuple[Digests, list[str]]:
    """The store's digests of the file, and the declared algorithms that do not match."""
    hashers = {name: _new(name) for name in {"md5", "sha256", *declared}}
    # The store's blake2b is 256 bits; hashlib's "blake2b" (a client's) is 512.
    hashers[_BLAKE2_256] = hashlib.blake2b(digest_size=32)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            for hasher in hashers.values():
                hasher.update(chunk)
    computed = {name: hasher.hexdigest() for name, hasher in hashers.items()}
    wrong = sorted(name for name, value in declared.items() if computed[name] != value)
    return Digests(computed["md5"], computed["sha256"], computed[_BLAKE2_256]), wrong


def _new(name: str) -> Any:
    if name == "md5":
        return hashlib.md5(usedforsecurity=False)
    return hashlib.new(name)
