"""The records of the index, as SQLAlchemy 2 ORM classes.

The shape follows Warehouse where a client can observe it (journal serials,
the filename registry, one metadata set per release taken from its first
upload) and stays small elsewhere. Every schema change is an Alembic
migration under ``migrations/versions``; ``tests/index/db`` checks that the
migrations and these classes agree.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pypidesk.index.records.role_names import RoleName

# The roles a user can have in a project (stored as text, PyPI's spelling).


def utcnow() -> dt.datetime:
    """Timezone-aware now; stored as UTC on every backend."""
    return dt.datetime.now(dt.UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable identity for token caveats: a user deleted and re-created under the
    # same name must not inherit old tokens.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A project deleted and registered anew gets a new uuid, so tokens scoped to
    # the old one never work again (PyPI's ProjectID caveat).
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255))
    normalized_name: Mapped[str] = mapped_column(String(255), unique=True)
    created: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)
    total_size: Mapped[int] = mapped_column(BigInteger, default=0)
    # PEP 708 "tracks": the operator says this name is the upstream index's
    # project of the same name (``pypidesk admin track-upstream``); its pages say so.
    tracks_upstream: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )

    releases: Mapped[list[Release]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )
    roles: Mapped[list[Role]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("project_id", "canonical_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(255))
    canonical_version: Mapped[str] = mapped_column(String(255))
    is_prerelease: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[dt.datetime] = mapped_column(default=utcnow)
    uploader_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # Core metadata, taken from the release's first upload only (as PyPI does).
    metadata_version: Mapped[str | None] = mapped_column(String(8), nullable=True)
    summary: Mapped[str | None] = mapped_column(String(512), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    description_content_type: Mapped[str | None] = mapped_column(String(255), nullable=True)
    description_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    keywords: Mapped[str | None] = mapped_column(Text, nullable=True)
    author: Mapped[str | None] = mapped_column(Text, nullable=True)
    author_email: Mapped[str | None] = mapped_column(Text, nullable=True)
    maintainer: Mapped[str | None] = mapped_column(Text, nullable=True)
    maintainer_email: Mapped[str | None] = mapped_column(Text, nullable=True)
    license: Mapped[str | None] = mapped_column(Text, nullable=True)
    license_expression: Mapped[str | None] = mapped_column(Text, nullable=True)
    home_page: Mapped[str | None] = mapped_column(Text, nullable=True)
    download_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    requires_python: Mapped[str | None] = mapped_column(Text, nullable=True)
    classifiers: Mapped[list[str]] = mapped_column(default=list)
    requires_dist: Mapped[list[str]] = mapped_column(default=list)
    provides_extra: Mapped[list[str]] = mapped_column(default=list)
    project_urls: Mapped[list[str]] = mapped_column(default=list)
    license_files: Mapped[list[str]] = mapped_column(default=list)
    platform: Mapped[list[str]] = mapped_column(default=list)
    dynamic: Mapped[list[str]] = mapped_column(default=list)
    yanked: Mapped[bool] = mapped_column(Boolean, default=False)
    yanked_reason: Mapped[str] = mapped_column(Text, default="")
    yanked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)

    project: Mapped[Project] = relationship(back_populates="releases")
    files: Mapped[list[File]] = relationship(
        back_populates="release", cascade="all, delete-orphan", passive_deletes=True
    )


class File(Base):
    __tablename__ = "files"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed: a release's files are looked up by it on every page that lists them.
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255), unique=True)
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    md5_digest: Mapped[str] = mapped_column(String(32))
    sha256_digest: Mapped[str] = mapped_column(String(64))
    blake2_256_digest: Mapped[str] = mapped_column(String(64), unique=True)
    packagetype: Mapped[str] = mapped_column(String(32))
    python_version: Mapped[str] = mapped_column(String(64))
    requires_python: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    upload_time: Mapped[dt.datetime] = mapped_column(default=utcnow)
    uploader_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # PEP 658: the wheel's METADATA, stored beside the file as "<path>.metadata".
    metadata_sha256_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    metadata_blake2_256_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)

    release: Mapped[Release] = relationship(back_populates="files")


class FileRegistry(Base):
    """Every filename ever accepted; a name once used can never be uploaded again."""

    __tablename__ = "file_registry"

    filename: Mapped[str] = mapped_column(String(255), primary_key=True)


class Role(Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("user_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Indexed: the unique (user_id, project_id) index does not serve lookups by project.
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    role_name: Mapped[RoleName] = mapped_column(String(16))

    user: Mapped[User] = relationship()
    project: Mapped[Project] = relationship(back_populates="roles")


class ProhibitedProjectName(Base):
    """A name no one may register (PyPI's admin list): typosquats, reserved words."""

    __tablename__ = "prohibited_project_names"

    # Normalized, so every spelling of the name is covered.
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    created: Mapped[dt.datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")


class RoleInvitation(Base):
    __tablename__ = "role_invitations"
    __table_args__ = (UniqueConstraint("user_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Indexed: the unique (user_id, project_id) index does not serve lookups by project.
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    inviter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    role_name: Mapped[RoleName] = mapped_column(String(16))
    created: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]


class ApiToken(Base):
    """An API token's server-side half: its identity, scope and key material.

    The macaroon's root key is never stored: it is derived from the server's
    secret (a file in the data dir, outside the database) and ``key_salt``, so a
    leaked database yields no usable token. Deleting the row revokes the token.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    key_salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    caveats: Mapped[list[Any]] = mapped_column(JSON, default=list)
    permissions: Mapped[list[str]] = mapped_column(default=list)
    # Normalized names and uuids of the projects the token is scoped to; empty
    # lists mean the whole account.
    project_names: Mapped[list[str]] = mapped_column(default=list)
    project_uuids: Mapped[list[str]] = mapped_column(default=list)
    created: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    last_used: Mapped[dt.datetime | None] = mapped_column(nullable=True)

    user: Mapped[User] = relationship()


class JournalEntry(Base):
    """One mirror-relevant change; its id is the global serial."""

    __tablename__ = "journals"
    __table_args__ = (Index("ix_journals_name", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255))
    version: Mapped[str | None] = mapped_column(String(255), nullable=True)
    action: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_by: Mapped[str | None] = mapped_column(String(50), nullable=True)


class Event(Base):
    """Audit history (who, what, when, from where, with which token); not for mirrors."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_project", "project_normalized_name", "id"),
        Index("ix_events_user", "username", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # Names rather than foreign keys: history outlives deleted projects.
    project_normalized_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    username: Mapped[str | None] = mapped_column(String(50), nullable=True)
    tag: Mapped[str] = mapped_column(String(64))
    time: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    token_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    additional: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AdminFlag(Base):
    """PyPI's kill switches: read-only, disallow-new-upload, and friends."""

    __tablename__ = "admin_flags"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)


# PEP 694 publishing sessions (pypidesk.index.staging). States as the draft names them.
LIVE_SESSION_STATES = ("open", "processing", "error")
_LIVE_SESSION = "status IN ('open', 'processing', 'error')"


class StagingSession(Base):
    """A PEP 694 publishing session: a release's files staged until published or canceled.

    The partial unique indexes make the draft's rules race-free: one live
    session per name and version (a second create gets 409), and one live
    session reserving a new project's name.
    """

    __tablename__ = "staging_sessions"
    __table_args__ = (
        Index(
            "uq_staging_sessions_live_release",
            "normalized_name",
            "canonical_version",
            unique=True,
            sqlite_where=text(_LIVE_SESSION),
            postgresql_where=text(_LIVE_SESSION),
        ),
        Index(
            "uq_staging_sessions_reserved_name",
            "normalized_name",
            unique=True,
            sqlite_where=text(f"reserves_name AND {_LIVE_SESSION}"),
            postgresql_where=text(f"reserves_name AND {_LIVE_SESSION}"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The session token: every URL of the session (and its stage) carries it.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    normalized_name: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(255))
    canonical_version: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="open")
    # A first release holds the new project's name for the life of the stage.
    reserves_name: Mapped[bool] = mapped_column(Boolean, default=False)
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    # When the session reached published or canceled (its status is kept a while).
    ended_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    notices: Mapped[list[str]] = mapped_column(default=list)

    files: Mapped[list[StagingFile]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True
    )


class StagingFile(Base):
    """One file upload session of a publishing session, and the staged file's facts."""

    __tablename__ = "staging_files"
    __table_args__ = (
        # A filename is in a session once, unless that upload was canceled.
        Index(
            "uq_staging_files_live_filename",
            "session_id",
            "filename",
            unique=True,
            sqlite_where=text("status != 'canceled'"),
            postgresql_where=text("status != 'canceled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("staging_sessions.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    # The digests the client declared, by hashlib name.
    hashes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    received: Mapped[bool] = mapped_column(Boolean, default=False)
    sha256_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requires_python: Mapped[str | None] = mapped_column(Text, nullable=True)
    metadata_sha256_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The core metadata completion found (METADATA, PKG-INFO): the publish reuses it.
    core_metadata: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created: Mapped[dt.datetime] = mapped_column(default=utcnow)
    notices: Mapped[list[str]] = mapped_column(default=list)

    session: Mapped[StagingSession] = relationship(back_populates="files")


class StagingReservation(Base):
    """A filename held by a publish in progress: other uploads of it get 409."""

    __tablename__ = "staging_reservations"

    filename: Mapped[str] = mapped_column(String(255), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("staging_sessions.id", ondelete="CASCADE"), index=True
    )
    created: Mapped[dt.datetime] = mapped_column(default=utcnow)
