"""Index profiles: which index the app talks to, and where it uploads.

A profile is plain data (no Qt, no secrets): the GUI keeps the list in
QSettings and the credentials in the keyring, keyed by :attr:`Profile.key`.
"""

from __future__ import annotations

import dataclasses
import enum


class ProfileKind(enum.Enum):
    LOCAL = "local"
    TESTPYPI = "testpypi"
    PYPI = "pypi"
    CUSTOM = "custom"


SIMPLE_SUFFIX = "simple/"


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    """One index: its Simple API root and its legacy upload URL."""

    name: str
    index_url: str
    upload_url: str
    kind: ProfileKind = ProfileKind.CUSTOM

    def __post_init__(self) -> None:
        object.__setattr__(self, "index_url", _with_slash(self.index_url))
        object.__setattr__(self, "upload_url", _with_slash(self.upload_url))

    @property
    def base_url(self) -> str:
        """The index's root, where ``/pypi/<name>/json`` and ``/api/v1/`` live."""
        if self.index_url.endswith("/" + SIMPLE_SUFFIX):
            return self.index_url[: -len(SIMPLE_SUFFIX)]
        return self.index_url

    @property
    def key(self) -> str:
        """What the keyring files this profile's credentials under (one entry per URL)."""
        return self.upload_url


LOCAL_PROFILE_NAME = "Local test index"


def local_profile(server_url: str) -> Profile:
    """The bundled index, once it runs at ``server_url`` (``http://127.0.0.1:PORT``)."""
    base = _with_slash(server_url)
    return Profile(LOCAL_PROFILE_NAME, base + SIMPLE_SUFFIX, base + "legacy/", ProfileKind.LOCAL)


TESTPYPI = Profile(
    "TestPyPI",
    "https://test.pypi.org/simple/",
    "https://test.pypi.org/legacy/",
    ProfileKind.TESTPYPI,
)
PYPI = Profile(
    "PyPI", "https://pypi.org/simple/", "https://upload.pypi.org/legacy/", ProfileKind.PYPI
)
