"""Start-up migrations: Alembic stays out of processes whose database is current."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from pypidesk.index.db import migrate
from pypidesk.index.db.engine import Database
from pypidesk.index.db.migrate import MIGRATIONS, head_revision, upgrade

NOOP_MIGRATION = '''\
"""a migration that changes nothing"""

revision = "0099"  # a trailing comment the quick check does not read
down_revision: str | None = "{parent}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


def _migration(directory: Path, name: str, revision: str, parent: str | None) -> None:
    down = "None" if parent is None else f'"{parent}"'
    (directory / name).write_text(f'revision: str = "{revision}"\ndown_revision = {down}\n')


def test_head_revision_matches_alembics() -> None:
    config = migrate.alembic_config(None)  # type: ignore[arg-type]
    assert (
        head_revision(MIGRATIONS / "versions")
        == ScriptDirectory.from_config(config).get_current_head()
    )


def test_head_revision_of_a_chain(tmp_path: Path) -> None:
    _migration(tmp_path, "a.py", "0001", None)
    _migration(tmp_path, "b.py", "0002", "0001")
    _migration(tmp_path, "c.py", "0003", "0002")
    assert head_revision(tmp_path) == "0003"


def test_two_heads_or_an_unreadable_file_leave_it_to_alembic(tmp_path: Path) -> None:
    branches = tmp_path / "branches"
    branches.mkdir()
    _migration(branches, "a.py", "0001", None)
    _migration(branches, "b.py", "0002", "0001")
    _migration(branches, "c.py", "0003", "0001")
    assert head_revision(branches) is None
    unreadable = tmp_path / "unreadable"
    unreadable.mkdir()
    _migration(unreadable, "a.py", "0001", None)
    (unreadable / "b.py").write_text('revision = ("0002")\ndown_revision = "0001"\n')
    assert head_revision(unreadable) is None


def test_a_current_database_is_checked_without_alembic(data_dir: Path) -> None:
    url = f"sqlite:///{data_dir / 'pypidesk.sqlite3'}"
    database = Database.from_url(url)
    upgrade(database.engine, data_dir)
    database.dispose()
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from pypidesk.index.db.engine import Database
        from pypidesk.index.db.migrate import upgrade
        database = Database.from_url({url!r})
        upgrade(database.engine, Path({str(data_dir)!r}))
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("alembic", "mako")))
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_migration_the_quick_check_cannot_read_is_still_applied(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database.from_url(f"sqlite:///{data_dir / 'pypidesk.sqlite3'}")
    upgrade(database.engine, data_dir)
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    parent = head_revision(MIGRATIONS / "versions")
    (migrations / "versions" / "0099_noop.py").write_text(NOOP_MIGRATION.format(parent=parent))
    monkeypatch.setattr(migrate, "MIGRATIONS", migrations)
    upgrade(database.engine, data_dir)
    with database.read() as session:
        assert session.scalar(text("SELECT version_num FROM alembic_version")) == "0099"
    database.dispose()
