"""PEP 694 publishing sessions, their files, and publish-time filename reservations

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIVE = "status IN ('open', 'processing', 'error')"


def upgrade() -> None:
    op.create_table(
        "staging_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("normalized_name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("canonical_version", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reserves_name", sa.Boolean(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notices", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["creator_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    op.create_index(
        "uq_staging_sessions_live_release",
        "staging_sessions",
        ["normalized_name", "canonical_version"],
        unique=True,
        sqlite_where=sa.text(_LIVE),
        postgresql_where=sa.text(_LIVE),
    )
    op.create_index(
        "uq_staging_sessions_reserved_name",
        "staging_sessions",
        ["normalized_name"],
        unique=True,
        sqlite_where=sa.text(f"reserves_name AND {_LIVE}"),
        postgresql_where=sa.text(f"reserves_name AND {_LIVE}"),
    )
    op.create_table(
        "staging_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("hashes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received", sa.Boolean(), nullable=False),
        sa.Column("sha256_digest", sa.String(length=64), nullable=True),
        sa.Column("requires_python", sa.Text(), nullable=True),
        sa.Column("metadata_sha256_digest", sa.String(length=64), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notices", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["staging_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("ix_staging_files_session_id", "staging_files", ["session_id"])
    op.create_index(
        "uq_staging_files_live_filename",
        "staging_files",
        ["session_id", "filename"],
        unique=True,
        sqlite_where=sa.text("status != 'canceled'"),
        postgresql_where=sa.text("status != 'canceled'"),
    )
    op.create_table(
        "staging_reservations",
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["staging_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("filename"),
    )
    op.create_index("ix_staging_reservations_session_id", "staging_reservations", ["session_id"])


def downgrade() -> None:
    op.drop_table("staging_reservations")
    op.drop_table("staging_files")
    op.drop_table("staging_sessions")
