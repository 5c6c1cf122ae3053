"""Keeping the data dir and the SQLite records readable by the server's own user only.

The records hold password hashes, e-mail addresses and the addresses uploads
came from. SQLite creates its file with the process's umask (usually 0644)
and gives the ``-wal`` and ``-shm`` files the database file's own mode, so
the database file is created 0600 before SQLite first opens it, and an
existing one (and its companions) is tightened, with a warning, at start-up.
The data dir is created 0700; one that already exists is left as the
operator made it (they may share it on purpose), and the server warns at
start-up when others can enter it. ``secret.key`` is created 0600 by its own module.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

logger = logging.getLogger(__name__)

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")
# Bits that let anyone but the owner in.
_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def prepare_data_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) 0700 if it does not exist yet."""
    # mkdir's mode is masked by the umask, which may be stricter, never looser.
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)


def warn_if_open(path: Path) -> None:
    """At the server's start: say so when other local users can enter the data dir."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & _OTHERS:
        logger.warning(
            "The data dir %s has mode %04o: other local users can list it. "
            "Run `chmod 700 %s` unless it is shared on purpose.",
            path,
            mode,
            path,
        )


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite ``url``; None for other databases and in-memory ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_sqlite_private(path: Path) -> None:
    """Create ``path`` 0600 if missing; tighten it and its WAL, SHM and journal to 0600.

    An empty file is a valid empty SQLite database, and SQLite gives the
    ``-wal`` and ``-shm`` files it creates later the database file's mode.
    """
    if path.parent.is_dir():
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        except FileExistsError:
            pass
        else:
            os.close(descriptor)
    for suffix in SQLITE_COMPANIONS:
        _tighten(Path(f"{path}{suffix}"))


def _tighten(path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if not mode & _OTHERS:
        return
    try:
        path.chmod(mode & ~_OTHERS)
    except OSError as exc:  # another user's file: say so, the server still starts
        logger.warning(
            "%s has mode %04o, readable by other local users, and cannot be changed (%s).",
            path,
            mode,
            exc.strerror,
        )
        return
    logger.warning(
        "%s had mode %04o, readable by other local users; it is now %04o.",
        path,
        mode,
        mode & ~_OTHERS,
    )
