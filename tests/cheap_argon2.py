"""argon2 at a cost fit for tests, in the test process and its children.

The server hashes with argon2-cffi's defaults (64 MiB, 3 passes): about 0.4 s
per hash or check on a CI core, on purpose. Account tests hash and check
thousands of times, so the suite swaps in the smallest parameters argon2
allows for everything that runs in the test process (TestClient apps, servers
in a thread, the records layer), and sets the server's test-only switch
(:data:`~pypidesk.index.auth.passwords.TEST_ONLY_CHEAP_HASHING`) for the
``serve`` and ``admin`` children, also those the desktop app starts.
tests/index/auth/test_passwords.py checks the production parameters with the
real hasher, in this process and in a child started without the switch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from argon2 import PasswordHasher

from pypidesk.index.auth.passwords import (
    TEST_ONLY_CHEAP_HASHING,
    TEST_ONLY_CHEAP_HASHING_VALUE,
    cheap_test_hasher,
    use_hasher,
)

# The minimum argon2 accepts: 8 KiB per lane, one pass.
CHEAP = cheap_test_hasher()
#: What the suite puts in its environment, for every child it starts.
CHILD_ENVIRONMENT = {TEST_ONLY_CHEAP_HASHING: TEST_ONLY_CHEAP_HASHING_VALUE}


@contextlib.contextmanager
def hasher(replacement: PasswordHasher | None) -> Iterator[None]:
    """Hash with ``replacement`` (None: the production hasher) inside the block."""
    previous = use_hasher(replacement)
    try:
        yield
    finally:
        use_hasher(previous)


def installed() -> contextlib.AbstractContextManager[None]:
    return hasher(CHEAP)


def production() -> contextlib.AbstractContextManager[None]:
    return hasher(None)
