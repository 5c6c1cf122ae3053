"""indexes for lookups by parent: a release's files, a project's roles and invitations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_files_release_id", "files", ["release_id"])
    op.create_index("ix_roles_project_id", "roles", ["project_id"])
    op.create_index("ix_role_invitations_project_id", "role_invitations", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_role_invitations_project_id", table_name="role_invitations")
    op.drop_index("ix_roles_project_id", table_name="roles")
    op.drop_index("ix_files_release_id", table_name="files")
