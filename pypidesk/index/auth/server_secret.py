"""The server secret that every API token's root key is derived from.

It lives in a file beside the database rather than in it, so a leaked
database (a backup, a dump handed to support) yields no usable token. Several
processes may start on a new data dir at once (``serve`` workers, ``admin``
commands), so the file is created race-safely: the secret is written to a
private temporary file and hard-linked into place, which either succeeds
atomically with complete contents or fails because another process won; no
reader ever sees a half-written secret.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from pypidesk.index.errors import ServerError

SECRET_SIZE = 32
# The secret as last read, by path, with the file's identity then: every
# token check needs it, and one stat costs less than opening and reading.
_read_before: dict[str, tuple[tuple[int, int, int, int], bytes]] = {}


class SecretKeyError(ServerError):
    """The secret file exists but does not hold a secret; tokens cannot be checked."""


def load_or_create_secret(path: Path) -> bytes:
    """The secret in ``path``, created (mode 0600) with 32 random bytes if missing."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(SECRET_SIZE))
            handle.flush()
            os.fsync(handle.fileno())
        # If another process linked its secret first, everyone uses that one.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink()
    return _read(path)


def _read(path: Path) -> bytes:
    """The secret, read again whenever the file was replaced or written to."""
    status = path.stat()
    identity = (status.st_dev, status.st_ino, status.st_mtime_ns, status.st_size)
    known = _read_before.get(str(path))
    if known is not None and known[0] == identity:
        return known[1]
    data = path.read_bytes()
    if len(data) != SECRET_SIZE:
        raise SecretKeyError(
            f"{path} holds {len(data)} bytes, not a {SECRET_SIZE}-byte pypidesk secret; "
            "restore it from a backup (deleting it invalidates every API token)."
        )
    _read_before[str(path)] = (identity, data)
    return data
