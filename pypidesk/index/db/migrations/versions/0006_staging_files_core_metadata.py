"""staging_files.core_metadata: what completion found, so the publish reads no file for it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("staging_files", sa.Column("core_metadata", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staging_files") as batch:
        batch.drop_column("core_metadata")
