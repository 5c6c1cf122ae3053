"""Which index the window shows, whether it answers, and who is signed in to it.

No widgets here: the toolbar shows this state and its buttons call these
coroutines, and tests drive them directly. Keyring calls run in a worker
thread: a Secret Service keyring may wait on D-Bus, or on the user answering
an unlock prompt, and the window must not freeze meanwhile. Every change is
announced by :attr:`Session.changed`; the window then hands the pages a new
:class:`~pypidesk.gui.pages.base.IndexContext`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from PySide6.QtCore import QObject, Signal

from pypidesk.client import maintainer_api
from pypidesk.client.credentials import TokenStore
from pypidesk.client.errors import ClientError
from pypidesk.client.health import check_health
from pypidesk.client.http import send
from pypidesk.client.profiles import Profile, ProfileKind
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.session_state import Reachability, SessionState, builtin_profiles

log = logging.getLogger(__name__)

# Any HTTP answer below 500 means someone is there (PyPI answers HEAD /simple/ with 200,
# a pypidesk index with 405): reachability is not about that URL's content.
ANSWERED = range(100, 500)

__all__ = ["Reachability", "Session", "SessionState", "builtin_profiles"]


T = TypeVar("T")


async def off_the_gui_thread(work: Callable[[], T]) -> T:
    """Run keyring work in a worker thread.

    A closure, never the arguments themselves: qasync's executor logs the
    arguments of what it runs (at DEBUG level), and a token must not reach a log.
    """
    return await asyncio.to_thread(work)


class Session(QObject):
    """The current profile, its reachability and its signed-in user; tokens in a TokenStore."""

    #: Emitted with the new :class:`SessionState` on every change.
    changed = Signal(object)

    def __init__(
        self,
        settings: AppSettings,
        http: httpx.AsyncClient,
        store: TokenStore,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._http = http
        self._store = store
        self._local_url: str | None = None
        self._local_starting = False
        self._token: str | None = None
        selected = settings.selected_profile
        profile = next((p for p in self.profiles() if p.name == selected), self.profiles()[0])
        self._state = SessionState(profile)

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def store(self) -> TokenStore:
        return self._store

    @property
    def http(self) -> httpx.AsyncClient:
        return self._http

    @property
    def settings(self) -> AppSettings:
        return self._settings

    async def credentials(self, profile: Profile) -> tuple[str | None, str | None]:
        """(username, token) kept for ``profile``, any profile (the Publish page's Promote)."""
        return await self._load_credentials(profile)

    def profiles(self) -> list[Profile]:
        """Built-in profiles first (the local one always), then the user's own."""
        return [*builtin_profiles(self._local_url), *self._settings.custom_profiles]

    def credential_key(self, profile: Profile) -> str:
        """The keyring key: the upload URL, but the data folder for the local index.

        The local index gets a new port on every start, so its URL cannot name it;
        its data folder does (and tells two ``--config-dir`` setups apart).
        """
        if profile.kind is ProfileKind.LOCAL:
            return f"local-index:{self._settings.local_index_data_dir}"
        return profile.key

    def context(self) -> IndexContext | None:
        """What the pages show: None while the index does not answer."""
        if self._state.reachability is not Reachability.REACHABLE:
            return None
        return IndexContext(self._state.profile, self._http, self._state.username, self._token)

    def _set(self, **changes: Any) -> None:
        # Any, as dataclasses.replace takes it: mypy's dataclass plugin checks each name.
        self._state = dataclasses.replace(self._state, **changes)
        self.changed.emit(self._state)

    async def _load_credentials(self, profile: Profile) -> tuple[str | None, str | None]:
        key = self.credential_key(profile)
        username = self._settings.signed_in_user(key)
        if username is None:
            return None, None
        token = await off_the_gui_thread(lambda: self._store.get(key, username))
        return (username, token) if token else (None, None)

    async def select(self, name: str) -> None:
        """Show profile ``name`` (remembered for the next start) and check it."""
        profile = next(p for p in self.profiles() if p.name == name)
        self._settings.selected_profile = name
        username, self._token = await self._load_credentials(profile)
        self._state = SessionState(profile, username=username)
        self.changed.emit(self._state)
        await self.check()

    async def local_index_moved(self, url: str | None, *, starting: bool = False) -> None:
        """The local index runs at ``url`` now (None: not running); re-check if it is shown."""
        self._local_url = url
        self._local_starting = starting
        if self._state.profile.kind is ProfileKind.LOCAL:
            profile = builtin_profiles(url)[0]
            self._state = dataclasses.replace(self._state, profile=profile)
            await self.check()

    async def reload_profiles(self) -> None:
        """After the profiles dialog: keep the current one if it still exists."""
        names = [p.name for p in self.profiles()]
        name = self._state.profile.name
        await self.select(name if name in names else names[0])

    async def check(self) -> None:
        """Ask the index whether it answers, and whether it has the maintainer API."""
        profile = self._state.profile
        if profile.kind is ProfileKind.LOCAL and self._local_url is None:
            if self._local_starting:
                self._set(reachability=Reachability.CHECKING, error=None)
                return
            self._set(
                reachability=Reachability.UNREACHABLE,
                error="The local index is not running. Start it on the Local index page.",
            )
            return
        self._set(reachability=Reachability.CHECKING, error=None)
        try:
            if profile.kind is ProfileKind.LOCAL:
                await check_health(self._http, profile.base_url)
            else:
                await send(self._http, "HEAD", profile.index_url, expect=ANSWERED)
            has_api = await maintainer_api.probe(self._http, profile)
        except ClientError as exc:
            if self._state.profile is profile:
                self._set(reachability=Reachability.UNREACHABLE, error=str(exc))
            return
        if self._state.profile is profile:
            self._set(reachability=Reachability.REACHABLE, has_maintainer_api=has_api)

    async def sign_in(self, username: str, password: str) -> None:
        """Password sign-in on an index with the maintainer API; only the token is kept."""
        profile = self._state.profile
        signed_in = await maintainer_api.sign_in(self._http, profile, username, password)
        await self._remember(profile, signed_in.username, signed_in.token)

    async def sign_in_with_token(self, username: str, token: str) -> None:
        """An index without the maintainer API: the user's pasted token, for uploads."""
        await self._remember(self._state.profile, username, token.strip())

    async def adopt_local_account(self, username: str, token: str) -> None:
        """The local index made an account and token for the user on its first start."""
        profile = builtin_profiles(self._local_url)[0]
        key = self.credential_key(profile)
        await off_the_gui_thread(lambda: self._store.set(key, username, token))
        self._settings.set_signed_in_user(key, username)
        if self._state.profile.kind is ProfileKind.LOCAL:
            self._token = token
            self._set(username=username)

    def has_local_token(self, username: str) -> bool:
        """Whether the keyring still holds the local index's token for ``username``.

        Asked on the GUI thread when the local index comes up, so the controller
        can mint a new token for the app's account if the keyring lost it (a
        session-only store does at every start). The local entry lives in the
        same store the app wrote it to, so no unlock prompt is expected here.
        """
        key = self.credential_key(builtin_profiles(self._local_url)[0])
        return self._store.get(key, username) is not None

    def upload_token_key(self, profile: Profile) -> str:
        """Where a token made on the API tokens page is kept, apart from the sign-in one.

        A token the user creates is often narrower (one project, upload only):
        filing it under the sign-in key would take the app's own rights away.
        """
        return self.credential_key(profile) + "#upload"

    async def save_upload_token(self, token: str) -> None:
        """Keep ``token`` in the keyring for this profile and user (signed out: no-op)."""
        username = self._state.username
        if username is None:
            return
        key = self.upload_token_key(self._state.profile)
        await off_the_gui_thread(lambda: self._store.set(key, username, token))

    async def _remember(self, profile: Profile, username: str, token: str) -> None:
        key = self.credential_key(profile)
        await off_the_gui_thread(lambda: self._store.set(key, username, token))
        self._settings.set_signed_in_user(key, username)
        self._settings.sync()
        self._token = token
        self._set(username=username)

    async def sign_out(self) -> None:
        """Revoke the token on the server (where there is an API), then forget it here.

        A server that cannot be reached or already refuses the token does not
        keep the user signed in: the local copy goes either way, and the
        failure is logged (without the token).
        """
        profile = self._state.profile
        username, token = self._state.username, self._token
        if username is None:
            return
        if token and self._state.has_maintainer_api:
            try:
                await maintainer_api.sign_out(self._http, profile, token)
            except ClientError as exc:
                log.warning("Could not revoke the token on %s: %s", profile.base_url, exc)
        key = self.credential_key(profile)
        await off_the_gui_thread(lambda: self._store.delete(key, username))
        self._settings.set_signed_in_user(key, None)
        self._settings.sync()
        self._token = None
        self._set(username=None)
