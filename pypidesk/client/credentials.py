"""Where the app keeps the tokens it signs in with: the system keyring, or memory.

One keyring entry per profile and user: service ``pypidesk:<upload URL>``,
username the account's. Which user belongs to a profile is not a secret and
lives in the app's settings. A machine without a keyring (headless Linux, a
locked-down session) gets the fail backend, which raises on every call; then
the token is kept in memory for this run only, never written anywhere, and
:attr:`CredentialStore.session_only` tells the window to say so.

The backend is the system's, or whatever ``PYTHON_KEYRING_BACKEND`` names:
keyring reads that variable itself. keyring is imported on first use, not
with this module: its import and backend discovery cost more than the whole
window's first paint, which must not wait for them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import keyring.backend

log = logging.getLogger(__name__)

SERVICE_PREFIX = "pypidesk:"
SESSION_ONLY_NOTICE = "No keyring on this system: the token is kept for this session only."


class TokenStore(Protocol):
    """What the window needs from a credential store (tests may pass their own)."""

    @property
    def session_only(self) -> bool: ...

    def get(self, profile_key: str, username: str) -> str | None: ...

    def set(self, profile_key: str, username: str, token: str) -> None: ...

    def delete(self, profile_key: str, username: str) -> None: ...


def service_name(profile_key: str) -> str:
    return SERVICE_PREFIX + profile_key


class CredentialStore:
    """Tokens in the keyring; in memory for this run when no keyring works."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        # None: keyring's own choice, made on first use (it imports its backends then).
        self._backend = backend
        self._memory: dict[tuple[str, str], str] = {}
        self._session_only = False

    @property
    def session_only(self) -> bool:
        """True once the keyring proved unusable: tokens then live in memory only."""
        return self._session_only

    def _keyring(self) -> keyring.backend.KeyringBackend | None:
        import keyring  # noqa: PLC0415 - slow; only once a token is needed
        from keyring.backends import fail  # noqa: PLC0415

        if self._session_only:
            return None
        backend = self._backend or keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            self._fall_back("no backend available")
            return None
        return backend

    def _fall_back(self, reason: str) -> None:
        # Reached once per run at most: afterwards _keyring() no longer offers a backend.
        log.warning("Keyring unusable (%s); tokens are kept for this session only", reason)
        self._session_only = True

    def get(self, profile_key: str, username: str) -> str | None:
        from keyring.errors import KeyringError  # noqa: PLC0415 - see the module docstring

        backend = self._keyring()
        if backend is not None:
            try:
                return backend.get_password(service_name(profile_key), username)
            except KeyringError as exc:
                self._fall_back(type(exc).__name__)
        return self._memory.get((profile_key, username))

    def set(self, profile_key: str, username: str, token: str) -> None:
        from keyring.errors import KeyringError  # noqa: PLC0415 - see the module docstring

        backend = self._keyring()
        if backend is not None:
            try:
                backend.set_password(service_name(profile_key), username, token)
                return
            except KeyringError as exc:
                self._fall_back(type(exc).__name__)
        self._memory[(profile_key, username)] = token

    def delete(self, profile_key: str, username: str) -> None:
        from keyring.errors import KeyringError, PasswordDeleteError  # noqa: PLC0415

        self._memory.pop((profile_key, username), None)
        backend = self._keyring()
        if backend is None:
            return
        try:
            backend.delete_password(service_name(profile_key), username)
        except PasswordDeleteError:
            pass  # nothing stored: signed out already
        except KeyringError as exc:
            self._fall_back(type(exc).__name__)
