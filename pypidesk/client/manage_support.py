"""Does this index have pypidesk's maintainer API, and if not, where is its own web page?

PyPI, TestPyPI and pypiserver have no management API: the app opens the
index's own page (PyPI's ``/manage/...``) where there is one, and says why.
Discovery asks ``/api/v1/flags``, which a pypidesk index answers without
credentials; anything else (404, an HTML page) means no API.
"""

from __future__ import annotations

import enum
from urllib.parse import quote, urlsplit

import httpx

from pypidesk.client.http import send
from pypidesk.client.profiles import Profile, ProfileKind


class ManagePage(enum.Enum):
    TOKENS = "tokens"
    INVITATIONS = "invitations"
    ACTIVITY = "activity"


# Warehouse's own pages for each (PyPI lists pending invitations on its projects page,
# and the account's security history on the account page).
_WAREHOUSE_PATHS = {
    ManagePage.TOKENS: "manage/account/token/",
    ManagePage.INVITATIONS: "manage/projects/",
    ManagePage.ACTIVITY: "manage/account/",
}
_WAREHOUSE_HOSTS = frozenset({"pypi.org", "test.pypi.org"})


class ProjectPage(enum.Enum):
    """Warehouse's manage pages of one project (PyPI has no API for any of them)."""

    COLLABORATORS = "collaboration/"
    RELEASES = "releases/"
    #: Where "Delete project" is.
    SETTINGS = "settings/"
    HISTORY = "history/"


def is_warehouse(profile: Profile) -> bool:
    """PyPI or TestPyPI (by kind, or a custom profile pointing at them)."""
    if profile.kind in (ProfileKind.PYPI, ProfileKind.TESTPYPI):
        return True
    return urlsplit(profile.base_url).hostname in _WAREHOUSE_HOSTS


def web_page(profile: Profile, page: ManagePage) -> str | None:
    """The index's own web page for ``page``, or None where it has none (pypiserver)."""
    if not is_warehouse(profile):
        return None
    return profile.base_url + _WAREHOUSE_PATHS[page]


def project_web_page(
    profile: Profile, page: ProjectPage, project: str, version: str | None = None
) -> str | None:
    """The index's own page of ``project`` for ``page``, or None where it has none.

    With ``version``, the releases page becomes that release's own page, where
    PyPI has its Yank and Delete buttons.
    """
    if not is_warehouse(profile):
        return None
    root = f"{profile.base_url}manage/project/{quote(project, safe='')}/"
    if page is ProjectPage.RELEASES and version is not None:
        return f"{root}release/{quote(version, safe='')}/"
    return root + page.value


async def has_manage_api(http: httpx.AsyncClient, profile: Profile) -> bool:
    """True if ``profile``'s index answers the maintainer API.

    PyPI and TestPyPI are known not to, so they are not asked. An
    unreachable index raises :class:`~pypidesk.client.errors.IndexUnreachableError`:
    "no API" and "no answer" are different things to tell the user.
    """
    if is_warehouse(profile):
        return False
    response = await send(http, "GET", profile.base_url + "api/v1/flags", expect=range(100, 600))
    if response.status_code != 200:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("flags"), dict)
