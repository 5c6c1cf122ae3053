"""Password hashing with argon2id, the algorithm PyPI and OWASP recommend.

argon2-cffi is imported on first use: a token-only index never checks a
password, and the server's idle memory is one of its targets.

The hasher is one per process, made with the production parameters on first
use. :func:`use_hasher` replaces it; only the test suite does, with a cheaper
cost (tests/cheap_argon2.py). Hashes carry their parameters, so one process
verifies hashes made with either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

_hasher: PasswordHasher | None = None


def hasher() -> PasswordHasher:
    """The process's hasher; argon2-cffi's defaults unless :func:`use_hasher` replaced it."""
    global _hasher  # noqa: PLW0603 - one lazily made hasher per process, see the module doc
    if _hasher is None:
        # argon2-cffi's defaults are RFC 9106's low-memory profile (argon2id, 64 MiB,
        # 3 passes); the parameters travel inside each hash, so raising them later
        # keeps old hashes verifiable.
        from argon2 import PasswordHasher  # noqa: PLC0415 - on first use, see the module doc

        _hasher = PasswordHasher()
    return _hasher


def use_hasher(replacement: PasswordHasher | None) -> PasswordHasher | None:
    """Hash with ``replacement`` from now on (None: the defaults again); the one before.

    A seam for the test suite, which hashes thousands of times; the server
    never calls it.
    """
    global _hasher
    previous, _hasher = _hasher, replacement
    return previous


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with a fresh random salt."""
    return hasher().hash(password)


def verify_password(hash: str, password: str) -> bool:  # noqa: A002 - the interface's name
    """Whether ``password`` matches ``hash``; a malformed hash never matches."""
    from argon2.exceptions import InvalidHashError, VerificationError  # noqa: PLC0415

    try:
        return hasher().verify(hash, password)
    except (VerificationError, InvalidHashError):
        # VerifyMismatchError is a VerificationError.
        return False
