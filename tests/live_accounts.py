"""Accounts on a live test server, made as an administrator makes them (the admin CLI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PASSWORD = "correct horse battery"


def create_user(data_dir: Path, name: str = "alice", password: str = PASSWORD) -> str:
    """Add ``name`` to the index in ``data_dir`` (running or not); returns its password."""
    subprocess.run(
        [sys.executable, "-m", "pypidesk", "admin", "--data-dir", str(data_dir), "create-user",
         name, "--email", f"{name}@example.org"],
        input=password + "\n",
        text=True,
        check=True,
        capture_output=True,
    )  # fmt: skip
    return password
