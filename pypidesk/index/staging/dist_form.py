"""The upload form twine would send for a staged file, read from the file itself.

The draft makes the file the one source of its metadata. Reading it and
building the legacy form lets a staged file pass through exactly the checks,
texts and records of ``POST /legacy/`` (:mod:`pypidesk.index.upload.service`).
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from packaging.metadata import parse_email

from pypidesk.index.storage import Digests
from pypidesk.index.upload import archives
from pypidesk.index.upload.errors import bad_request
from pypidesk.index.upload.metadata import _LIST_FIELDS, _SINGLE_FIELDS

# RawMetadata's name -> the form's, for fields that may repeat.
_FORM_LIST_NAMES = {raw: form for form, raw in _LIST_FIELDS.items()}


def read_core_metadata(path: Path, filename: str) -> bytes:
    """The file's METADATA (wheel) or PKG-INFO (sdist), with the legacy path's refusals."""
    contents = archives.check_archive(path, filename)
    if filename.endswith(".whl"):
        archives.check_wheel_members(contents, filename)
        return archives.read_wheel_metadata(contents, filename)
    member = f"{contents.top_dir}/PKG-INFO"
    with tarfile.open(path, "r:gz") as archive:
        info = archive.getmember(member)
        handle = archive.extractfile(info)
        if handle is None or info.size > archives.MAX_METADATA_SIZE:
            raise bad_request(f"Invalid distribution file. PKG-INFO at {member} is unreadable")
        return handle.read()


def form_fields(
    metadata: bytes | dict[str, list[str]], filename: str, digests: Digests
) -> dict[str, list[str]]:
    """The legacy upload form for a file with this core metadata and these digests.

    ``metadata``: the core metadata, or the fields :func:`metadata_fields` made of it.
    """
    fields: dict[str, list[str]] = {
        ":action": ["file_upload"],
        "protocol_version": ["1"],
        "sha256_digest": [digests.sha256],
        "blake2_256_digest": [digests.blake2_256],
    }
    if filename.endswith(".whl"):
        # twine's ``pyversion`` for a wheel: the python tag of its filename.
        fields["filetype"] = ["bdist_wheel"]
        fields["pyversion"] = [filename[: -len(".whl")].split("-")[-3]]
    else:
        fields["filetype"] = ["sdist"]
        fields["pyversion"] = ["source"]
    fields.update(metadata_fields(metadata) if isinstance(metadata, bytes) else metadata)
    return fields


def metadata_fields(metadata: bytes) -> dict[str, list[str]]:
    """The form's fields that come from the core metadata alone (the same for equal bytes)."""
    raw, _unparsed = parse_email(metadata)
    fields: dict[str, list[str]] = {}
    for name, value in raw.items():
        if name in _SINGLE_FIELDS:
            fields[name] = [str(value)]
        elif name in _FORM_LIST_NAMES:
            fields[_FORM_LIST_NAMES[name]] = [str(v) for v in value]  # type: ignore[attr-defined]
        elif name == "keywords":
            fields["keywords"] = [", ".join(value)]  # type: ignore[arg-type]
    urls = raw.get("project_urls")
    if urls:
        fields["project_urls"] = [f"{label}, {url}" for label, url in urls.items()]
    return fields
