"""The desktop app's settings: typed accessors over one QSettings, declared in one place.

Nothing secret is ever written here: tokens live in the keyring
(:mod:`pypidesk.client.credentials`); which user is signed in to which
profile is not a secret and is kept here so the keyring can be asked for it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from pypidesk.client.profiles import Profile, ProfileKind
from pypidesk.paths import DEFAULT_LOCAL_PORT, default_data_dir


def _json(value: Any, default: Any) -> Any:
    try:
        return json.loads(str(value)) if value else default
    except ValueError:
        return default


class AppSettings:
    """Typed view of the app's QSettings; the only code that knows the keys."""

    LOCAL_INDEX_DATA_DIR = "local_index/data_dir"
    LOCAL_INDEX_PORT = "local_index/port"
    WINDOW_GEOMETRY = "main_window/geometry"
    WINDOW_STATE = "main_window/state"
    SPLITTER_PREFIX = "splitters/"
    CUSTOM_PROFILES = "profiles/custom"
    SELECTED_PROFILE = "profiles/selected"
    SIGNED_IN_USERS = "sign_in/users"
    CURRENT_PAGE = "main_window/page"
    RECENT_PUBLISH_FOLDERS = "publish/recent_folders"
    #: How many project folders the Publish page remembers.
    RECENT_LIMIT = 8

    def __init__(self, qsettings: QSettings) -> None:
        self._qsettings = qsettings

    @property
    def file_name(self) -> str:
        """Where the settings are written (a test greps it for secrets)."""
        return self._qsettings.fileName()

    @property
    def local_index_data_dir(self) -> Path:
        """Where the local index keeps its files; ``pypidesk serve``'s default too."""
        value = self._qsettings.value(self.LOCAL_INDEX_DATA_DIR)
        return Path(str(value)) if value else default_data_dir()

    @local_index_data_dir.setter
    def local_index_data_dir(self, path: Path) -> None:
        self._qsettings.setValue(self.LOCAL_INDEX_DATA_DIR, str(path))

    @property
    def local_index_port(self) -> int:
        """The local index's port (0: any free one), kept so pasted lines stay valid."""
        value = self._qsettings.value(self.LOCAL_INDEX_PORT)
        try:
            return int(str(value)) if value is not None else DEFAULT_LOCAL_PORT
        except ValueError:
            return DEFAULT_LOCAL_PORT

    @local_index_port.setter
    def local_index_port(self, port: int) -> None:
        self._qsettings.setValue(self.LOCAL_INDEX_PORT, port)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._qsettings.value(key)
        return value if isinstance(value, QByteArray) else None

    @property
    def window_geometry(self) -> QByteArray | None:
        return self._bytes(self.WINDOW_GEOMETRY)

    @window_geometry.setter
    def window_geometry(self, geometry: QByteArray) -> None:
        self._qsettings.setValue(self.WINDOW_GEOMETRY, geometry)

    def splitter_state(self, name: str) -> QByteArray | None:
        """A splitter's sizes as ``QSplitter.saveState`` gave them; ``name`` is its objectName."""
        return self._bytes(self.SPLITTER_PREFIX + name)

    def set_splitter_state(self, name: str, state: QByteArray) -> None:
        self._qsettings.setValue(self.SPLITTER_PREFIX + name, state)

    @property
    def custom_profiles(self) -> list[Profile]:
        """The user's own indexes; the built-in ones are not stored."""
        profiles = []
        for item in _json(self._qsettings.value(self.CUSTOM_PROFILES), []):
            try:
                profiles.append(Profile(item["name"], item["index_url"], item["upload_url"]))
            except (KeyError, TypeError):
                continue  # a hand-edited entry we cannot read: skip it, keep the rest
        return profiles

    @custom_profiles.setter
    def custom_profiles(self, profiles: list[Profile]) -> None:
        items = [
            {"name": p.name, "index_url": p.index_url, "upload_url": p.upload_url}
            for p in profiles
            if p.kind is ProfileKind.CUSTOM
        ]
        self._qsettings.setValue(self.CUSTOM_PROFILES, json.dumps(items))

    @property
    def selected_profile(self) -> str | None:
        """The name of the profile shown at start-up."""
        value = self._qsettings.value(self.SELECTED_PROFILE)
        return str(value) if value else None

    @selected_profile.setter
    def selected_profile(self, name: str) -> None:
        self._qsettings.setValue(self.SELECTED_PROFILE, name)

    def _users(self) -> dict[str, str]:
        users = _json(self._qsettings.value(self.SIGNED_IN_USERS), {})
        return users if isinstance(users, dict) else {}

    def signed_in_user(self, credential_key: str) -> str | None:
        """Who is signed in to that profile; their token is in the keyring, not here."""
        user = self._users().get(credential_key)
        return str(user) if user else None

    def set_signed_in_user(self, credential_key: str, username: str | None) -> None:
        users = self._users()
        if username is None:
            users.pop(credential_key, None)
        else:
            users[credential_key] = username
        self._qsettings.setValue(self.SIGNED_IN_USERS, json.dumps(users))

    @property
    def current_page(self) -> int:
        value = self._qsettings.value(self.CURRENT_PAGE)
        try:
            return int(str(value)) if value is not None else 0
        except ValueError:
            return 0

    @current_page.setter
    def current_page(self, index: int) -> None:
        self._qsettings.setValue(self.CURRENT_PAGE, index)

    @property
    def recent_publish_folders(self) -> list[Path]:
        """Project folders the Publish page built from, most recent first."""
        folders = _json(self._qsettings.value(self.RECENT_PUBLISH_FOLDERS), [])
        return (
            [Path(f) for f in folders if isinstance(f, str)] if isinstance(folders, list) else []
        )

    def remember_publish_folder(self, folder: Path) -> None:
        folders = [folder, *(f for f in self.recent_publish_folders if f != folder)]
        value = json.dumps([str(f) for f in folders[: self.RECENT_LIMIT]])
        self._qsettings.setValue(self.RECENT_PUBLISH_FOLDERS, value)

    def sync(self) -> None:
        self._qsettings.sync()
