"""Password hashing with argon2id, the algorithm PyPI and OWASP recommend."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's low-memory profile (argon2id, 64 MiB,
# 3 passes); the parameters travel inside each hash, so raising them later
# keeps old hashes verifiable.
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with a fresh random salt."""
    return _HASHER.hash(password)


def verify_password(hash: str, password: str) -> bool:  # noqa: A002 - the interface's name
    """Whether ``password`` matches ``hash``; a malformed hash never matches."""
    try:
        return _HASHER.verify(hash, password)
    except (VerificationError, InvalidHashError):
        # VerifyMismatchError is a VerificationError.
        return False
