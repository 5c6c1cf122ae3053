"""The roles a user can hold in a project, spelled once, as PyPI spells them.

The words are part of the wire format: the JSON API's ``ownership.roles``,
the management API and the ``roles`` table all carry "Owner" and
"Maintainer", capitalised. Every module compares and writes these members
(a :class:`~enum.StrEnum`, so each one *is* its string) instead of the words.
"""

from __future__ import annotations

import enum


class RoleName(enum.StrEnum):
    """A project role: an Owner manages the project and its people; a Maintainer uploads."""

    OWNER = "Owner"
    MAINTAINER = "Maintainer"


# As plain strings, for argparse choices and membership tests of untrusted input.
ROLE_NAMES: tuple[str, ...] = tuple(role.value for role in RoleName)
