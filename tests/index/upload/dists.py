"""Tiny real distributions, written directly as archives (fast, no build backend)."""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile
from dataclasses import dataclass, field

from packaging.utils import canonicalize_name


@dataclass
class Dist:
    """A distribution file and the form fields twine would send with it."""

    filename: str
    data: bytes
    filetype: str
    pyversion: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    def form(self, **overrides: str | list[str] | None) -> dict[str, list[str]]:
        """The upload form fields, with digests; ``None`` removes a field."""
        fields = {
            ":action": ["file_upload"],
            "protocol_version": ["1"],
            "filetype": [self.filetype],
            "pyversion": [self.pyversion],
            "sha256_digest": [hashlib.sha256(self.data).hexdigest()],
            "blake2_256_digest": [hashlib.blake2b(self.data, digest_size=32).hexdigest()],
            **self.fields,
        }
        for name, value in overrides.items():
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = [value] if isinstance(value, str) else value
        return fields


def metadata_text(name: str, version: str, extra: str = "") -> str:
    return (
        f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\nSummary: A tiny test package\n"
        f"{extra}\n"
    )


def _fields(name: str, version: str) -> dict[str, list[str]]:
    return {
        "metadata_version": ["2.4"],
        "name": [name],
        "version": [version],
        "summary": ["A tiny test package"],
        "description": ["Hello\n=====\n\nSome *text*."],
    }


def make_wheel(
    name: str = "tiny-pkg",
    version: str = "1.0",
    *,
    tag: str = "py3-none-any",
    members: dict[str, bytes] | None = None,
    skip: tuple[str, ...] = (),
    payload: bytes = b"",
    compression: int = zipfile.ZIP_DEFLATED,
) -> Dist:
    dist = canonicalize_name(name).replace("-", "_")
    dist_info = f"{dist}-{version}.dist-info"
    files: dict[str, bytes] = {
        f"{dist}/__init__.py": b"VALUE = 1\n" + payload,
        f"{dist_info}/METADATA": metadata_text(name, version).encode(),
        f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        f"Tag: {tag}\n".encode(),
        f"{dist_info}/RECORD": b"",
        **(members or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for member, content in files.items():
            if member not in skip:
                archive.writestr(member, content)
    return Dist(
        f"{dist}-{version}-{tag}.whl",
        buffer.getvalue(),
        "bdist_wheel",
        "py3",
        _fields(name, version),
    )


def make_sdist(
    name: str = "tiny-pkg",
    version: str = "1.0",
    *,
    filename: str | None = None,
    members: dict[str, bytes] | None = None,
    skip: tuple[str, ...] = (),
    top: str | None = None,
) -> Dist:
    dist = canonicalize_name(name).replace("-", "_")
    top = top or f"{dist}-{version}"
    files = {
        f"{top}/PKG-INFO": metadata_text(name, version).encode(),
        f"{top}/pyproject.toml": b"[project]\nname = 'x'\n",
        f"{top}/{dist}/__init__.py": b"VALUE = 1\n",
        **(members or {}),
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member, content in files.items():
            if member in skip:
                continue
            info = tarfile.TarInfo(member)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return Dist(
        filename or f"{dist}-{version}.tar.gz",
        buffer.getvalue(),
        "sdist",
        "source",
        _fields(name, version),
    )
