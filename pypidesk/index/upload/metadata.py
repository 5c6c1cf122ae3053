"""Core metadata from the upload form, checked by ``packaging`` plus PyPI's own rules.

Upload check 5 of docs/pypi-behaviour.md.

Every message ends with PyPI's pointer to the core-metadata specification;
of several errors the one on ``metadata-version``, ``name`` or ``version``
wins, then the alphabetically first field.
"""

from __future__ import annotations

import email.utils
import re
import urllib.parse
from typing import Any, cast

from packaging.metadata import InvalidMetadata, Metadata, RawMetadata
from packaging.requirements import InvalidRequirement, Requirement
from trove_classifiers import all_classifiers, deprecated_classifiers

from pypidesk.index.upload.errors import bad_request
from pypidesk.index.upload.form import CORE_METADATA_HELP

SUPPORTED_METADATA_VERSIONS = frozenset({"1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"})
VERSION_HELP = (
    "See https://packaging.python.org/specifications/version-specifiers for more information."
)

_SINGLE_FIELDS = frozenset(
    {
        "metadata_version", "name", "version", "summary", "description",
        "description_content_type", "author", "author_email", "maintainer",
        "maintainer_email", "license", "license_expression", "home_page",
        "download_url", "requires_python",
    }
)  # fmt: skip
# Form name -> RawMetadata name, for the fields that may repeat.
_LIST_FIELDS = {
    "classifiers": "classifiers",
    "requires_dist": "requires_dist",
    "provides_extra": "provides_extra",
    "requires_external": "requires_external",
    "provides_dist": "provides_dist",
    "obsoletes_dist": "obsoletes_dist",
    "requires": "requires",
    "provides": "provides",
    "obsoletes": "obsoletes",
    "dynamic": "dynamic",
    "platform": "platforms",
    "supported_platform": "supported_platforms",
    "license_file": "license_files",
    "import_name": "import_names",
    "import_namespace": "import_namespaces",
}
_EMAIL_NAMES = {
    "author_email": "author-email",
    "maintainer_email": "maintainer-email",
    "home_page": "home-page",
    "download_url": "download-url",
    "provides_dist": "provides-dist",
    "obsoletes_dist": "obsoletes-dist",
    "requires_dist": "requires-dist",
}
_SIMPLE_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def raw_from_form(fields: dict[str, list[str]]) -> RawMetadata:
    """Map form fields onto ``RawMetadata``; a single field sent twice is an error."""
    raw: dict[str, Any] = {}
    unparsed: list[str] = []
    for name, values in fields.items():
        if name in _SINGLE_FIELDS:
            if len(values) == 1:
                raw[name] = values[0]
            else:
                unparsed.append(name)
        elif name in _LIST_FIELDS:
            raw[_LIST_FIELDS[name]] = values
        elif name == "keywords":
            if len(values) == 1:
                raw["keywords"] = [k.strip() for k in values[0].split(",") if k.strip()]
            else:
                unparsed.append(name)
        elif name == "project_urls":
            urls = _project_urls(values)
            if urls is None:
                unparsed.append(name)
            else:
                raw["project_urls"] = urls
    if unparsed:
        raise _error([InvalidMetadata(name, f"{name!r} has invalid data") for name in unparsed])
    return cast(RawMetadata, raw)


def form_from_raw(raw: RawMetadata) -> dict[str, list[str]]:
    """The upload form fields twine would send for ``raw``: the inverse of :func:`raw_from_form`.

    ``pypidesk admin import`` reads a file's own core metadata and puts it
    through the upload checks as if twine had sent it.
    """
    values: dict[str, Any] = dict(raw)
    fields: dict[str, list[str]] = {}
    for name in _SINGLE_FIELDS:
        if name in values:
            fields[name] = [values[name]]
    for form_name, raw_name in _LIST_FIELDS.items():
        if raw_name in values:
            fields[form_name] = list(values[raw_name])
    if "keywords" in values:
        fields["keywords"] = [", ".join(values["keywords"])]
    if "project_urls" in values:
        fields["project_urls"] = [f"{k}, {v}" for k, v in values["project_urls"].items()]
    return fields


def _project_urls(values: list[str]) -> dict[str, str] | None:
    """``"Label, URL"`` entries as a mapping; None when a label repeats."""
    urls: dict[str, str] = {}
    for value in values:
        label, _, url = value.partition(",")
        if label.strip() in urls:
            return None
        urls[label.strip()] = url.strip()
    return urls


def parse_metadata(fields: dict[str, list[str]]) -> Metadata:
    """Upload check 5: the validated metadata of the upload, or PyPI's 400."""
    raw = raw_from_form(fields)
    try:
        metadata = Metadata.from_raw(raw)
    except ExceptionGroup as group:
        raise _error(_flatten(group)) from None
    errors = _pypi_rules(metadata)
    if errors:
        raise _error(errors)
    return metadata


def _flatten(group: BaseExceptionGroup) -> list[InvalidMetadata]:
    found: list[InvalidMetadata] = []
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            found.extend(_flatten(exc))
        elif isinstance(exc, InvalidMetadata):
            found.append(exc)
        else:  # pragma: no cover - packaging raises only InvalidMetadata
            found.append(InvalidMetadata("metadata", str(exc)))
    return found


def _error(errors: list[InvalidMetadata]) -> Exception:
    def priority(exc: InvalidMetadata) -> tuple[bool, bool, bool, str]:
        field = exc.field.replace("_", "-")
        return (field != "metadata-version", field != "name", field != "version", field)

    first = sorted(errors, key=priority)[0]
    message = str(first)
    if message.startswith("The use of local versions"):
        return bad_request(f"{message} {VERSION_HELP}")
    return bad_request(f"{message.rstrip('.')}. {CORE_METADATA_HELP}")


def _is_valid_url(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _pypi_rules(metadata: Metadata) -> list[InvalidMetadata]:
    """The checks PyPI layers on top of ``packaging.metadata``."""
    errors: list[InvalidMetadata] = []
    if metadata.metadata_version not in SUPPORTED_METADATA_VERSIONS:
        errors.append(
            InvalidMetadata(
                "metadata-version",
                f"{metadata.metadata_version!r} is not a valid metadata version",
            )
        )
    if metadata.version.local:
        errors.append(
            InvalidMetadata(
                "version",
                f"The use of local versions in {str(metadata.version)!r} is not allowed.",
            )
        )
    if metadata.summary is not None and len(metadata.summary) > 512:
        errors.append(
            InvalidMetadata("summary", "'summary' field must be 512 characters or less.")
        )
    for name in ("author_email", "maintainer_email"):
        value = getattr(metadata, name)
        if value is not None:
            for _, address in email.utils.getaddresses([value]):
                if address and not _SIMPLE_EMAIL.match(address):
                    errors.append(
                        InvalidMetadata(
                            _EMAIL_NAMES[name], f"{address!r} is not a valid email address"
                        )
                    )
    classifiers = set(metadata.classifiers or [])
    errors.extend(
        InvalidMetadata("classifier", f"{c!r} is not a valid classifier.")
        for c in sorted(classifiers - set(all_classifiers) - deprecated_classifiers.keys())
    )
    for classifier in sorted(classifiers & deprecated_classifiers.keys()):
        replacement = deprecated_classifiers[classifier]
        tail = f", use one of {replacement} instead." if replacement else "."
        errors.append(
            InvalidMetadata(
                "classifier", f"The classifier {classifier!r} has been deprecated{tail}"
            )
        )
    for name in ("home_page", "download_url"):
        url = getattr(metadata, name)
        if url is not None and not _is_valid_url(url):
            errors.append(InvalidMetadata(_EMAIL_NAMES[name], f"{url!r} is not a valid url."))
    errors.extend(_project_url_errors(metadata.project_urls or {}))
    errors.extend(_dependency_errors(metadata))
    if metadata.license is not None and metadata.license_expression is not None:
        errors.append(
            InvalidMetadata(
                "license",
                "License is deprecated when License-Expression is present. "
                "Only License-Expression should be present.",
            )
        )
    return errors


def _project_url_errors(urls: dict[str, str]) -> list[InvalidMetadata]:
    errors = []
    for label, url in urls.items():
        if not label:
            errors.append(InvalidMetadata("project-url", "Must have a label"))
        elif len(label) > 32:
            errors.append(
                InvalidMetadata("project-url", f"{label!r} must be 32 characters or less.")
            )
        elif not url:
            errors.append(InvalidMetadata("project-url", "Must have a URL"))
        elif not _is_valid_url(url):
            errors.append(InvalidMetadata("project-url", f"{url!r} is not a valid url"))
    return errors


def _dependency_errors(metadata: Metadata) -> list[InvalidMetadata]:
    errors = []
    for name in ("provides_dist", "obsoletes_dist"):
        for text in getattr(metadata, name) or []:
            try:
                requirement = Requirement(text)
            except InvalidRequirement as exc:
                errors.append(InvalidMetadata(_EMAIL_NAMES[name], f"{text!r} is invalid: {exc}"))
            else:
                if requirement.url is not None:
                    errors.append(
                        InvalidMetadata(
                            _EMAIL_NAMES[name], f"Can't have direct dependency: {text!r}"
                        )
                    )
    errors.extend(
        InvalidMetadata("requires-dist", f"Can't have direct dependency: {requirement}")
        for requirement in metadata.requires_dist or []
        if requirement.url is not None
    )
    return errors
