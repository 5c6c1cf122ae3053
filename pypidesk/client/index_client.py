"""One index's read side: capabilities, my projects, a project's releases and files.

:class:`IndexClient` picks, per question, the best API the index offers:
pypidesk's maintainer API (roles, latest version, last upload in one request),
PyPI's XML-RPC ``user_packages``, PyPI's JSON API, and the Simple API that
every index speaks (pypiserver speaks nothing else). What the chosen API cannot
say stays ``None`` in the results, which the GUI shows as unknown.
"""

from __future__ import annotations

import asyncio
import json

import httpx
from packaging.utils import canonicalize_name

from pypidesk.client import json_api, simple_api, xmlrpc
from pypidesk.client.errors import NotFoundError, SignInRequiredError
from pypidesk.client.http import send
from pypidesk.client.models import Capabilities, ProjectDetail, ProjectSummary
from pypidesk.client.parsing import parse_time
from pypidesk.client.profiles import Profile, ProfileKind

TOKEN_USERNAME = "__token__"  # noqa: S105 - PyPI's username for tokens, not a secret
SERIAL_HEADER = "x-pypi-last-serial"
#: PyPI and TestPyPI answer XML-RPC ``user_packages``; no other index is known to.
XMLRPC_KINDS = (ProfileKind.PYPI, ProfileKind.TESTPYPI)


def _serial(response: httpx.Response) -> int | None:
    try:
        return int(response.headers[SERIAL_HEADER])
    except (KeyError, ValueError):
        return None


class IndexClient:
    """Reads one index for one (optional) user. Cheap to make; caches capabilities."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        profile: Profile,
        *,
        username: str | None = None,
        token: str | None = None,
    ) -> None:
        self.http = http
        self.profile = profile
        self.username = username
        self._token = token
        self._capabilities: Capabilities | None = None

    @property
    def _auth(self) -> httpx.BasicAuth | None:
        # PyPI's reads are public and its upload tokens have no business there;
        # pypidesk (and private indexes) take the token as PyPI's uploads do.
        if self._token is None or self.profile.kind in XMLRPC_KINDS:
            return None
        return httpx.BasicAuth(TOKEN_USERNAME, self._token)

    def _url(self, path: str) -> str:
        return self.profile.base_url + path

    async def capabilities(self) -> Capabilities:
        """What the index offers, asked once per client (``/api/v1/flags`` answers or not)."""
        if self._capabilities is None:
            response = await send(
                self.http, "GET", self._url("api/v1/flags"), expect=range(200, 600)
            )
            maintainer = response.status_code == httpx.codes.OK and _has_flags(response)
            self._capabilities = Capabilities(
                maintainer_api=maintainer,
                xmlrpc_user_packages=self.profile.kind in XMLRPC_KINDS,
            )
        return self._capabilities

    async def my_projects(self) -> list[ProjectSummary]:
        """The signed-in user's projects, or every project where the index cannot say."""
        capabilities = await self.capabilities()
        if capabilities.maintainer_api and self._token is not None:
            projects = await self._maintained_projects()
        elif capabilities.xmlrpc_user_packages:
            if self.username is None:
                raise SignInRequiredError(self.profile.name)
            pairs = await xmlrpc.user_packages(self.http, self._url("pypi"), self.username)
            projects = [ProjectSummary(name=name, role=role) for role, name in pairs]
        else:
            response = await send(
                self.http,
                "GET",
                self.profile.index_url,
                headers={"Accept": simple_api.ACCEPT},
                auth=self._auth,
            )
            names = await asyncio.to_thread(simple_api.project_names, response)
            projects = [ProjectSummary(name=n) for n in names]
        return sorted(projects, key=lambda p: canonicalize_name(p.name))

    async def _maintained_projects(self) -> list[ProjectSummary]:
        response = await send(
            self.http, "GET", self._url("api/v1/account/projects"), auth=self._auth
        )
        return await asyncio.to_thread(_project_summaries, response.content)

    async def project(self, name: str) -> ProjectDetail:
        """Releases and files of ``name``: the JSON API, else the Simple API."""
        normalized = canonicalize_name(name)
        try:
            response = await send(
                self.http,
                "GET",
                self._url(f"pypi/{normalized}/json"),
                auth=self._auth,
                # PyPI redirects other spellings of a name to the canonical one.
                follow_redirects=True,
            )
        except NotFoundError as not_in_json_api:
            # No such project, or no JSON API at all (pypiserver): the Simple API decides.
            try:
                response = await send(
                    self.http,
                    "GET",
                    f"{self.profile.index_url}{normalized}/",
                    headers={"Accept": simple_api.ACCEPT},
                    auth=self._auth,
                )
            except NotFoundError:
                raise not_in_json_api from None
            return await asyncio.to_thread(
                simple_api.project_detail, normalized, response, _serial(response)
            )
        return await asyncio.to_thread(_project_detail, response.content, _serial(response))

    async def serial(self) -> int | None:
        """The index's last serial (``X-PyPI-Last-Serial`` of ``/simple/``); None if untold.

        A HEAD, so polling it every few seconds costs no listing of every project.
        """
        response = await send(self.http, "HEAD", self.profile.index_url, auth=self._auth)
        return _serial(response)


# Big answers (10,000 projects, 1,000 releases) are decoded in a worker thread:
# a caller on a GUI's event loop must not stall for the 50-100 ms that takes.


def _project_summaries(content: bytes) -> list[ProjectSummary]:
    return [
        ProjectSummary(
            name=str(row["project"]),
            role=row.get("role"),
            latest_version=row.get("latest_version"),
            last_upload=parse_time(row.get("last_upload")),
        )
        for row in json.loads(content)
    ]


def _project_detail(content: bytes, serial: int | None) -> ProjectDetail:
    return json_api.parse_project(json.loads(content), serial)


def _has_flags(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("flags"), (dict, list))
