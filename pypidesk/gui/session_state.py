"""What the toolbar shows about the current index: plain data, cheap to import.

Kept apart from :mod:`pypidesk.gui.session` (which needs the HTTP stack) so
the window can be drawn before the network code is loaded.
"""

from __future__ import annotations

import dataclasses
import enum

from pypidesk.client.profiles import PYPI, TESTPYPI, Profile, local_profile

# Where the local profile points before the local index has a port.
LOCAL_PLACEHOLDER_URL = "http://127.0.0.1:0"


class Reachability(enum.Enum):
    UNKNOWN = "unknown"
    CHECKING = "checking"
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"


@dataclasses.dataclass(frozen=True, slots=True)
class SessionState:
    profile: Profile
    reachability: Reachability = Reachability.UNKNOWN
    #: Why the index is unreachable, in words for the user (no secrets in it).
    error: str | None = None
    #: None until probed: whether the index has pypidesk's maintainer API.
    has_maintainer_api: bool | None = None
    username: str | None = None


def builtin_profiles(local_url: str | None) -> list[Profile]:
    """The local index (wherever it runs now), TestPyPI and PyPI."""
    return [local_profile(local_url or LOCAL_PLACEHOLDER_URL), TESTPYPI, PYPI]
