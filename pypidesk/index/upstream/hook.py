"""What the read side (:mod:`pypidesk.index.read.routes`) asks of the upstream, in one place.

Kept apart so that the read routes hold only the hook itself: whether
there is an upstream, the PEP 708 ``tracks`` of local pages, and the
upstream's files.
"""

from __future__ import annotations

from collections.abc import Callable

from pypidesk.index.db.models import Project
from pypidesk.index.read.http import Scope, Send, send_page, text_page
from pypidesk.index.settings import ServerSettings
from pypidesk.index.upstream.pages import PYPI_SIMPLE
from pypidesk.index.upstream.render import FILES_PREFIX
from pypidesk.index.upstream.service import Upstream

UPSTREAM_FILES = FILES_PREFIX
NOT_FOUND = text_page(404, "404 Not Found")


def upstream_for(settings: ServerSettings) -> Upstream | None:
    """The process's upstream, or None without ``--upstream``."""
    if settings.upstream_url is None:
        return None
    return Upstream(settings, settings.upstream_url)


def tracks_of(settings: ServerSettings) -> Callable[[Project], list[str]]:
    """PEP 708 ``tracks`` of a local project's page: the upstream's same name, if marked.

    Without ``--upstream`` a marked name tracks PyPI's, the upstream by default.
    """
    upstream = settings.upstream_url or PYPI_SIMPLE
    upstream = upstream if upstream.endswith("/") else upstream + "/"

    def tracks(project: Project) -> list[str]:
        return [f"{upstream}{project.normalized_name}/"] if project.tracks_upstream else []

    return tracks


async def upstream_file(
    upstream: Upstream | None, scope: Scope, send: Send, relative: str
) -> None:
    """``/upstream/…``: an upstream's file, or 404 on an index without one."""
    if upstream is None:
        await send_page(scope, send, NOT_FOUND)
        return
    await upstream.serve_file(scope, send, relative)
