"""Password hashing with argon2id, the algorithm PyPI and OWASP recommend.

argon2-cffi is imported on first use: a token-only index never checks a
password, and the server's idle memory is one of its targets.

The hasher is one per process, made with the production parameters on first
use. :func:`use_hasher` replaces it; only the test suite does, with a cheaper
cost (tests/cheap_argon2.py). Hashes carry their parameters, so one process
verifies hashes made with either.

The suite's ``serve`` and ``admin`` child processes hash at that cheap cost
too, which saves it about 0.4 s per hash or check. Nothing turns that on
but an environment variable whose name says it all,
:data:`TEST_ONLY_CHEAP_HASHING`, set to exactly
:data:`TEST_ONLY_CHEAP_HASHING_VALUE`; ``serve`` then says so in its log,
and every hash it writes records its cost. There is no command-line option
for it on purpose: ``--help`` must not offer a weaker index.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

#: The environment variable only a test suite sets (see the module doc).
TEST_ONLY_CHEAP_HASHING = "PYPIDESK_TEST_ONLY_CHEAP_PASSWORD_HASHING"
#: Its one value that counts: no "1", "true" or "yes" slips through by accident.
TEST_ONLY_CHEAP_HASHING_VALUE = "insecure-for-tests"

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


def cheap_test_hasher() -> PasswordHasher:
    """The smallest cost argon2 accepts (8 KiB, one pass, one lane): for tests only."""
    from argon2 import PasswordHasher, Type  # noqa: PLC0415 - on first use, see the module doc

    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


def use_test_hasher_if_asked(environ: Mapping[str, str]) -> bool:
    """Hash at :func:`cheap_test_hasher`'s cost if ``environ`` asks as a test suite does.

    Called by the ``serve`` and ``admin`` entry points and by each server
    worker; True when the cheap hasher is now in use, for the caller to say so.
    """
    if environ.get(TEST_ONLY_CHEAP_HASHING) != TEST_ONLY_CHEAP_HASHING_VALUE:
        return False
    use_hasher(cheap_test_hasher())
    return True


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
