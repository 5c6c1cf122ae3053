"""API tokens as PyPI makes them: ``pypi-`` + a serialized macaroon (v2).

The macaroon's location is the issuing domain, its identifier the id of the
token's ``api_tokens`` row, and its root key is derived, never stored:
HMAC-SHA256(server secret, token id + the row's random ``key_salt``). Holding
the database alone therefore mints nothing, and deleting the row revokes the
token. Caveats are checked here; who the token belongs to and what it may do
is the business of :mod:`pypidesk.index.auth.identity`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Sequence

from pymacaroons import MACAROON_V2, Macaroon, Verifier
from pymacaroons.exceptions import MacaroonInvalidSignatureException

from pypidesk.index.auth import caveats
from pypidesk.index.auth.caveats import Caveat, CaveatContext

PREFIX = "pypi-"
SIGNATURE_MISMATCH = "signatures do not match"


def root_key(secret: bytes, token_id: str, key_salt: bytes) -> bytes:
    """The token's macaroon root key, recomputed on every use."""
    return hmac.new(secret, token_id.encode() + key_salt, hashlib.sha256).digest()


def mint(location: str, token_id: str, key: bytes, token_caveats: Sequence[Caveat]) -> str:
    """The secret the token's holder presents: ``pypi-`` and the macaroon."""
    macaroon = Macaroon(location=location, identifier=token_id, key=key, version=MACAROON_V2)
    for caveat in token_caveats:
        macaroon.add_first_party_caveat(caveats.serialize(caveat))
    return PREFIX + macaroon.serialize()


# A client uploading a release presents the same token for every file;
# deserializing it and walking its HMAC chain once per process is enough. The
# parse cache is keyed by the token's whole text and the signature cache by
# the parsed object itself (held by the cache, so never reused) and the key:
# a token differing in any caveat or in its signature is a separate entry.
# Macaroons are never modified after parsing.
CACHED_TOKENS = 128


@functools.lru_cache(maxsize=CACHED_TOKENS)
def parse(raw: str) -> Macaroon | None:
    """The macaroon inside a ``pypi-`` token, or None if it is not one."""
    if not raw.startswith(PREFIX):
        return None
    try:
        return Macaroon.deserialize(raw.removeprefix(PREFIX))
    except Exception:  # pymacaroons raises many exception types on garbage input
        return None


def verify(
    macaroon: Macaroon, key: bytes, stored_caveats: Sequence[Caveat], context: CaveatContext
) -> list[str]:
    """Every failure of the token (PyPI's texts), empty when it may be used.

    As in Warehouse, caveat failures are reported rather than the signature
    mismatch they also cause. The caveats stored with the row at creation are
    checked as well, so the server can tighten a token without reissuing it.
    """
    errors: list[str] = []
    predicates: list[str] = []
    for caveat in macaroon.caveats:
        if not caveat.first_party():
            # No third party takes part in our tokens; a discharge cannot be had.
            errors.append(f"unknown caveat: third-party caveat at {caveat.location!r}")
            continue
        # Bad UTF-8 becomes U+FFFD and then fails as an unknown caveat.
        predicates.append(caveat.caveat_id_bytes.decode("utf-8", errors="replace"))
    predicates += [
        serialized
        for serialized in map(caveats.serialize, stored_caveats)
        if serialized not in predicates
    ]
    errors += filter(None, (caveats.check(predicate, context) for predicate in predicates))
    if errors:
        # A project token carries both ProjectName and ProjectID, which fail
        # together; the reference shows PyPI's text for that case once.
        return list(dict.fromkeys(errors))
    return [] if _signature_matches(macaroon, key) else [SIGNATURE_MISMATCH]


@functools.lru_cache(maxsize=CACHED_TOKENS)
def _signature_matches(macaroon: Macaroon, key: bytes) -> bool:
    verifier = Verifier()
    # Every caveat was checked by verify(); the verifier only walks the HMAC chain.
    verifier.satisfy_general(lambda _predicate: True)
    try:
        verifier.verify(macaroon, key)
    except MacaroonInvalidSignatureException:
        return False
    return True
