"""The upload form: PyPI's pre-processing and its upload-control checks.

Upload checks 3 and 4 of docs/pypi-behaviour.md, whose "The form" section this follows.

Fields arrive as lists of strings (a field may repeat). The checks here look
only at what the client sent, never at the database, so they can run before
the permission check, as PyPI's ``UploadForm`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pypidesk.index.upload.errors import bad_request
from pypidesk.index.upload.filenames import MAX_NAME_LENGTH

CORE_METADATA_HELP = (
    "See https://packaging.python.org/specifications/core-metadata for more information."
)
FILETYPES = ("sdist", "bdist_wheel")
_HEX64 = re.compile(r"^[A-F0-9]{64}$", re.IGNORECASE)
_NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE | re.ASCII)
# Values that count as not sent.
_ABSENT = frozenset({"", "UNKNOWN"})
# Parts that may legitimately be files; any other field sent as a file is refused.
FILE_FIELDS = frozenset({"content", "gpg_signature"})


@dataclass
class UploadForm:
    """The upload-control fields, after PyPI's ``sanitize`` and form validation."""

    fields: dict[str, list[str]]
    filetype: str = ""
    pyversion: str = ""
    comment: str | None = None
    md5_digest: str = ""
    sha256_digest: str = ""
    blake2_256_digest: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None


def sanitize(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """PyPI's pre-processing: drop ``UNKNOWN`` and empty values, escape NUL characters.

    An empty field is a field not sent: pdm sends every metadata field a
    file lacks as ``""`` (``description_content_type``, ``home_page``,
    ``license``...), and PyPI accepts its uploads.
    """
    cleaned: dict[str, list[str]] = {}
    for name, values in fields.items():
        kept = [v.replace("\x00", "\\x00") for v in values if v.strip() not in _ABSENT]
        if kept:
            cleaned[name] = kept
    return cleaned


def check_file_fields(file_fields: list[str]) -> None:
    """Any field other than ``content``/``gpg_signature`` sent as a file part is refused."""
    for name in file_fields:
        if name not in FILE_FIELDS:
            raise bad_request(f"{name}: Should not be a tuple.")


def check_protocol(fields: dict[str, list[str]]) -> None:
    """Upload check 3: only protocol version 1 exists."""
    version = fields.get("protocol_version", ["1"])[0]
    if version != "1":
        raise bad_request("Unknown protocol version.")


def _abbreviate(value: str) -> str:
    return value[:30] + "..." + value[-30:] if len(value) > 60 else value


def validate_form(fields: dict[str, list[str]]) -> UploadForm:
    """Upload check 4: name, filetype, pyversion and digests, in PyPI's priority order."""
    form = UploadForm(fields=fields)
    name = form.first("name") or ""
    if not name:
        form.errors["name"] = "This field is required."
    elif not _NAME_RE.match(name):
        form.errors["name"] = (
            "Start and end with a letter or numeral containing only ASCII numeric "
            "and '.', '_' and '-'."
        )
    elif len(name) > MAX_NAME_LENGTH:
        # No file of such a project would fit the file system (see filenames.py).
        form.errors["name"] = f"Use at most {MAX_NAME_LENGTH} characters."
    form.filetype = form.first("filetype") or ""
    if not form.filetype:
        form.errors["filetype"] = "This field is required."
    elif form.filetype not in FILETYPES:
        form.errors["filetype"] = "Use a known file type."
    form.pyversion = form.first("pyversion") or ""
    form.comment = form.first("comment")
    form.md5_digest = form.first("md5_digest") or ""
    form.sha256_digest = form.first("sha256_digest") or ""
    form.blake2_256_digest = form.first("blake2_256_digest") or ""
    if form.sha256_digest and not _HEX64.match(form.sha256_digest):
        form.errors["sha256_digest"] = "Use a valid, hex-encoded, SHA256 message digest."
    if form.blake2_256_digest and not _HEX64.match(form.blake2_256_digest):
        form.errors["blake2_256_digest"] = "Use a valid, hex-encoded, BLAKE2 message digest."
    if form.errors:
        first = sorted(form.errors, key=lambda k: (k != "name", k))[0]
        if first == "name":
            raise bad_request(
                f"{_abbreviate(name)!r} is an invalid value for Name. "
                f"Error: {form.errors[first]} {CORE_METADATA_HELP}"
            )
        raise bad_request(f"Invalid value for {first}. Error: {form.errors[first]}")
    _full_validate(form)
    return form


def _full_validate(form: UploadForm) -> None:
    """PyPI's form-wide rules, reported as ``Error: <msg>``."""
    if form.filetype != "sdist" and not form.pyversion:
        raise bad_request("Error: Python version is required for binary distribution uploads.")
    if form.filetype == "sdist":
        if not form.pyversion:
            form.pyversion = "source"
        elif form.pyversion != "source":
            raise bad_request("Error: Use 'source' as Python version for an sdist.")
    if not (form.md5_digest or form.sha256_digest or form.blake2_256_digest):
        raise bad_request("Error: Include at least one message digest.")
