"""Small factories for index records and real tiny distributions.

Until the upload endpoint exists, read-side tests build what an upload would
leave behind: rows inserted through the ORM, journal entries through
:func:`pypidesk.index.records.journal.record`, and real wheel/sdist bytes at the
content-addressed storage path, with the wheel's METADATA beside it.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import Version
from sqlalchemy import select
from sqlalchemy.orm import Session

from pypidesk.index.auth.passwords import hash_password
from pypidesk.index.db.engine import Database
from pypidesk.index.db.migrate import upgrade
from pypidesk.index.db.models import File, Project, Release, Role, User
from pypidesk.index.records.journal import record
from pypidesk.index.settings import ServerSettings


def open_database(settings: ServerSettings) -> Database:
    """The settings' database, migrated to the newest schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine, settings.data_dir)
    return database


def core_metadata(
    name: str,
    version: str,
    *,
    requires_python: str | None = None,
    requires_dist: tuple[str, ...] = (),
    summary: str = "A tiny test package",
) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines.append(f"Summary: {summary}")
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines.extend(f"Requires-Dist: {req}" for req in requires_dist)
    return ("\n".join(lines) + "\n\n").encode()


@dataclasses.dataclass(frozen=True)
class Dist:
    """One distribution file: its name, bytes, and (wheels only) its METADATA."""

    filename: str
    content: bytes
    metadata: bytes | None
    packagetype: str
    python_version: str


def build_wheel(
    name: str,
    version: str,
    *,
    requires_python: str | None = None,
    requires_dist: tuple[str, ...] = (),
    module_body: str = "VALUE = 1\n",
) -> Dist:
    """A real, installable pure-Python wheel with one module named after the project."""
    module = canonicalize_name(name).replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    metadata = core_metadata(
        name, version, requires_python=requires_python, requires_dist=requires_dist
    )
    wheel_file = (
        b"Wheel-Version: 1.0\nGenerator: pypidesk-tests\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    members = {
        f"{module}/__init__.py": module_body.encode(),
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": wheel_file,
    }
    record_lines = []
    for path, data in members.items():
        digest = hashlib.sha256(data).digest()
        encoded = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record_lines.append(f"{path},sha256={encoded},{len(data)}")
    record_lines.append(f"{dist_info}/RECORD,,")
    members[f"{dist_info}/RECORD"] = ("\n".join(record_lines) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in members.items():
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, data)
    return Dist(
        f"{module}-{version}-py3-none-any.whl", buffer.getvalue(), metadata, "bdist_wheel", "py3"
    )


def build_sdist(name: str, version: str, *, requires_python: str | None = None) -> Dist:
    """A PEP 625 sdist (``.tar.gz``) with PKG-INFO; enough for indexes, not for building."""
    stem = f"{canonicalize_name(name).replace('-', '_')}-{version}"
    pkg_info = core_metadata(name, version, requires_python=requires_python)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(f"{stem}/PKG-INFO")
        info.size = len(pkg_info)
        archive.addfile(info, io.BytesIO(pkg_info))
    return Dist(f"{stem}.tar.gz", buffer.getvalue(), None, "sdist", "source")


PASSWORD = "correct horse battery"


@functools.cache
def password_hash() -> str:
    # One hash of PASSWORD serves every test user (made with the suite's cheap
    # argon2 parameters; a ``serve`` child checks it at that cost too).
    return hash_password(PASSWORD)


def make_user(session: Session, username: str = "alice", *, is_active: bool = True) -> User:
    """A user whose password is :data:`PASSWORD`."""
    user = User(
        username=username,
        email=f"{username}@example.org",
        password_hash=password_hash(),
        is_active=is_active,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str = "alice") -> User:
    """The user named ``username``, made by :func:`make_user` if there is none yet."""
    user = session.scalar(select(User).where(User.username == username))
    return user if user is not None else make_user(session, username)


def make_project(session: Session, name: str = "demo-pkg") -> Project:
    """A bare project: no roles, no journal (see :func:`add_project` for those)."""
    project = Project(name=name, normalized_name=canonicalize_name(name))
    session.add(project)
    session.flush()
    return project


def add_project(session: Session, name: str, *, owner: str = "alice") -> Project:
    """A project with an Owner, journalled as PyPI journals creation."""
    user = get_user(session, owner)
    project = Project(name=name, normalized_name=canonicalize_name(name))
    session.add(project)
    session.flush()
    session.add(Role(user=user, project=project, role_name="Owner"))
    record(session, project, "create", submitted_by=user.username)
    record(session, project, f"add Owner {user.username}", submitted_by=user.username)
    return project


def add_release(
    session: Session,
    project: Project,
    version: str,
    *,
    requires_python: str | None = None,
    **fields: object,
) -> Release:
    release = Release(
        project=project,
        version=version,
        canonical_version=canonicalize_version(version),
        is_prerelease=Version(version).is_prerelease,
        requires_python=requires_python,
        summary=fields.pop("summary", "A tiny test package"),
        **fields,
    )
    session.add(release)
    session.flush()
    record(session, project, "new release", version=version)
    return release


def add_file(
    session: Session,
    settings: ServerSettings,
    release: Release,
    dist: Dist,
    *,
    upload_time: dt.datetime | None = None,
) -> File:
    """Store ``dist`` at its content-addressed path and record it."""
    b2 = hashlib.blake2b(dist.content, digest_size=32).hexdigest()
    path = f"{b2[:2]}/{b2[2:4]}/{b2[4:]}/{dist.filename}"
    target = settings.packages_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(dist.content)
    metadata_sha256 = None
    if dist.metadata is not None:
        Path(f"{target}.metadata").write_bytes(dist.metadata)
        metadata_sha256 = hashlib.sha256(dist.metadata).hexdigest()
    file = File(
        release=release,
        filename=dist.filename,
        path=path,
        size=len(dist.content),
        md5_digest=hashlib.md5(dist.content, usedforsecurity=False).hexdigest(),
        sha256_digest=hashlib.sha256(dist.content).hexdigest(),
        blake2_256_digest=b2,
        packagetype=dist.packagetype,
        python_version=dist.python_version,
        requires_python=release.requires_python,
        metadata_sha256_digest=metadata_sha256,
        metadata_blake2_256_digest=None
        if dist.metadata is None
        else hashlib.blake2b(dist.metadata, digest_size=32).hexdigest(),
        **({"upload_time": upload_time} if upload_time else {}),
    )
    session.add(file)
    session.flush()
    record(
        session,
        release.project,
        f"add {dist.python_version} file {dist.filename}",
        version=release.version,
    )
    return file


def publish(
    session: Session,
    settings: ServerSettings,
    name: str,
    version: str,
    *,
    requires_python: str | None = None,
    sdist: bool = True,
    **fields: object,
) -> Release:
    """A release with a wheel (and an sdist), creating the project if needed."""
    project = session.scalar(
        select(Project).where(Project.normalized_name == canonicalize_name(name))
    ) or add_project(session, name)
    release = add_release(session, project, version, requires_python=requires_python, **fields)
    add_file(
        session, settings, release, build_wheel(name, version, requires_python=requires_python)
    )
    if sdist:
        add_file(
            session, settings, release, build_sdist(name, version, requires_python=requires_python)
        )
    return release


def yank(session: Session, release: Release, reason: str = "") -> None:
    release.yanked = True
    release.yanked_reason = reason
    record(session, release.project, "yank release", version=release.version)
