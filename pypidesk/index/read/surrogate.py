"""The surrogate keys read pages carry, and which pages a change touches.

Pages carry ``Surrogate-Key`` as PyPI's do: a caching proxy that indexes
them (Varnish with xkey, Fastly) drops every page of a project with one purge
of ``project/<name>``. A proxy that can only purge one URL at a time (nginx
with cache-purge) is given :func:`paths_of` instead. Both are computed here,
beside the routes, so the keys a page is sent with and the keys purged after
a write cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from pypidesk.index.records.changes import ChangedProject

# The list of all projects (/simple/ in both formats).
ALL_PROJECTS = "all-projects"


def project_key(normalized_name: str) -> str:
    """The key of every page about one project (simple, JSON API, project page)."""
    return f"project/{normalized_name}"


def keys_of(changes: Iterable[ChangedProject]) -> list[str]:
    """The surrogate keys whose pages ``changes`` made stale, in a stable order."""
    keys: dict[str, None] = {}
    for change in changes:
        if change.listing:
            keys[ALL_PROJECTS] = None
        keys[project_key(change.normalized_name)] = None
    return list(keys)


def paths_of(changes: Iterable[ChangedProject]) -> list[str]:
    """The URL paths (as clients request them) of the pages ``changes`` made stale.

    Only canonical paths: other spellings answer with a redirect to them,
    which does not change. A release's own JSON page is purged when the
    change names that release; other releases' JSON pages (which show the
    project's owners) expire by their ``max-age`` on such proxies.
    """
    paths: dict[str, None] = {}
    for change in changes:
        name = change.normalized_name
        if change.listing:
            paths["/simple/"] = None
        paths[f"/simple/{name}/"] = None
        paths[f"/pypi/{name}/json"] = None
        if change.version is not None:
            paths[f"/pypi/{name}/{change.version}/json"] = None
        paths[f"/project/{change.name}/"] = None
    return list(paths)
