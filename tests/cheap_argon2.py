"""argon2 at a cost fit for tests, inside the test process only.

The server hashes with argon2-cffi's defaults (64 MiB, 3 passes): about 0.4 s
per hash or check on a CI core, on purpose. Account tests hash and check
thousands of times, so the suite swaps in the smallest parameters argon2
allows for everything that runs in the test process (TestClient apps, servers
in a thread, the records layer). ``serve`` and ``admin`` children keep the
production cost, and tests/index/auth/test_passwords.py checks those
parameters with the real hasher.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from argon2 import PasswordHasher, Type

from pypidesk.index.auth.passwords import use_hasher

# The minimum argon2 accepts: 8 KiB per lane, one pass.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


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
