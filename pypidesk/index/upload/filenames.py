"""Filename rules of the upload (docs/pypi-behaviour.md, upload checks 14, 23 and 24).

Three groups: characters and extension (checked before anything is read),
PEP 625 sdist names, and wheel names with the platform-tag allow-list.
"""

from __future__ import annotations

import re

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    canonicalize_version,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from pypidesk.index.upload.errors import bad_request

_EXTENSIONS = {"sdist": (".tar.gz", ".zip"), "bdist_wheel": (".whl",)}
_MAC_ARCHES = "ppc|ppc64|i386|x86_64|arm64|intel|fat|fat3|fat64|universal|universal2"
_LINUX_ARCHES = "x86_64|i686|aarch64|armv7l|ppc64le|s390x|riscv64"
_FIXED_TAGS = frozenset(
    {
        "any", "win32", "win_amd64", "win_arm64", "win_ia64",
        "manylinux1_x86_64", "manylinux1_i686", "manylinux2010_x86_64", "manylinux2010_i686",
        "manylinux2014_x86_64", "manylinux2014_i686", "manylinux2014_aarch64",
        "manylinux2014_armv7l", "manylinux2014_ppc64", "manylinux2014_ppc64le",
        "manylinux2014_s390x", "linux_armv6l", "linux_armv7l",
    }
)  # fmt: skip
_PATTERN_TAGS = re.compile(
    rf"^(macosx_10_\d+_({_MAC_ARCHES})"
    rf"|macosx_(11|12|13|14|15|26)_0_({_MAC_ARCHES})"
    rf"|manylinux_\d+_\d+_({_LINUX_ARCHES}|ppc64)"
    rf"|musllinux_\d+_\d+_({_LINUX_ARCHES})"
    r"|ios_\d+_\d+_(arm64|x86_64)_(iphoneos|iphonesimulator)"
    r"|android_\d+_(armeabi_v7a|arm64_v8a|x86|x86_64)"
    r"|pyemscripten_\d+_\d+_wasm32)$"
)
PEP527 = "https://www.python.org/dev/peps/pep-0527"
# Files are stored under the name they were uploaded with, and a wheel's
# METADATA beside it as ``<filename>.metadata``: both must fit the 255 bytes
# a file system allows for one name. Checked before anything is written: a
# name too long used to fail only at the rename after the commit (issue 12).
MAX_FILENAME_BYTES = 255 - len(".metadata")
# The shortest file a project can have is the wheel ``<name>-0-py3-none-any.whl``.
MAX_NAME_LENGTH = MAX_FILENAME_BYTES - len("-0-py3-none-any.whl")


def is_allowed_platform(tag: str) -> bool:
    """PyPI's wheel platform-tag allow-list (reference section 1.4)."""
    return tag in _FIXED_TAGS or _PATTERN_TAGS.match(tag) is not None


def check_characters_and_extension(filename: str, filetype: str) -> None:
    """Upload check 14: printable name, no path separators, an extension fitting the filetype."""
    if any(ord(c) < 32 or ord(c) == 127 for c in filename):
        raise bad_request(
            "Cannot upload a file with non-printable characters (ordinals 0-31) "
            "or the DEL character (ordinal 127) in the name."
        )
    if "/" in filename or "\\" in filename:
        raise bad_request("Cannot upload a file with '/' or '\\' in the name.")
    if len(filename.encode("utf-8", "surrogatepass")) > MAX_FILENAME_BYTES:
        raise bad_request(f"Filename is too long: {filename!r}")
    if not filename.endswith((".tar.gz", ".zip", ".whl")):
        raise bad_request(
            f"Invalid file extension: Use .tar.gz, .whl or .zip extension. See {PEP527} "
            "and https://peps.python.org/pep-0715/ for more information"
        )
    if not filename.endswith(_EXTENSIONS[filetype]):
        extension = (
            ".whl"
            if filename.endswith(".whl")
            else (".tar.gz" if filename.endswith(".tar.gz") else ".zip")
        )
        raise bad_request(
            f"Invalid file extension: Extension {extension} is invalid for filetype "
            f"{filetype}. See {PEP527} for more information."
        )


def _underscored(name: str) -> str:
    return canonicalize_name(name).replace("-", "_")


def check_sdist_filename(filename: str, project_name: str, version: Version) -> None:
    """Upload check 23 (PEP 625): exactly ``<name_with_underscores>-<version>.tar.gz``."""
    try:
        name, _ = parse_sdist_filename(filename)
    except InvalidSdistFilename:
        raise bad_request(f"Invalid source distribution filename: {filename}") from None
    if canonicalize_name(name) != canonicalize_name(project_name):
        raise bad_request(
            f"Start filename for {project_name!r} with {_underscored(project_name)!r}."
        )
    expected = (
        f"{_underscored(project_name)}-{canonicalize_version(version, strip_trailing_zero=False)}"
        ".tar.gz"
    )
    if filename != expected:
        raise bad_request(f"Filename {filename!r} is invalid, should be {expected!r}.")


def check_wheel_filename(filename: str, project_name: str, version: Version) -> None:
    """Upload check 24: a parseable wheel name, allowed platforms, matching name and version."""
    try:
        name, file_version, _build, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as exc:
        raise bad_request(str(exc)) from None
    for tag in tags:
        if not is_allowed_platform(tag.platform):
            raise bad_request(
                f"Binary wheel {filename!r} has an unsupported platform tag {tag.platform!r}."
            )
    if canonicalize_name(name) != canonicalize_name(project_name):
        raise bad_request(
            f"Start filename for {project_name!r} with {_underscored(project_name)!r}."
        )
    literal_name = filename.partition("-")[0]
    if literal_name != _underscored(project_name):
        raise bad_request(
            f"Filename {filename!r} should contain the normalized project name "
            f"{_underscored(project_name)!r}, not {literal_name!r}."
        )
    if file_version != version:
        raise bad_request(
            f"Version in filename should be {str(version)!r} not {str(file_version)!r}."
        )
