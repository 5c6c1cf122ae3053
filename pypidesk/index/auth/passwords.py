"""Password hashing with argon2id, the algorithm PyPI and OWASP recommend.

argon2-cffi is imported on first use: a token-only index never checks a
password, and the server's idle memory is one of its targets.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher


@functools.cache
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults are RFC 9106's low-memory profile (argon2id, 64 MiB,
    # 3 passes); the parameters travel inside each hash, so raising them later
    # keeps old hashes verifiable.
    from argon2 import PasswordHasher  # noqa: PLC0415 - on first use, see the module doc

    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with a fresh random salt."""
    return _hasher().hash(password)


def verify_password(hash: str, password: str) -> bool:  # noqa: A002 - the interface's name
    """Whether ``password`` matches ``hash``; a malformed hash never matches."""
    from argon2.exceptions import InvalidHashError, VerificationError  # noqa: PLC0415

    try:
        return _hasher().verify(hash, password)
    except (VerificationError, InvalidHashError):
        # VerifyMismatchError is a VerificationError.
        return False
