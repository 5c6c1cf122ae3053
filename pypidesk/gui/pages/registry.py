"""The pages of the main window, in the order of the left column: the one list of them.

Each entry names its page's title and icon without importing the page, so the
left column is filled before the first paint; :func:`build_pages` makes the
pages themselves afterwards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypidesk.gui.local_index import LocalIndexController
    from pypidesk.gui.pages.base import Page
    from pypidesk.gui.session import Session


@dataclasses.dataclass(frozen=True, slots=True)
class PageServices:
    """What the window hands a page when it builds it."""

    controller: LocalIndexController
    session: Session


@dataclasses.dataclass(frozen=True, slots=True)
class PageSpec:
    #: The left column's label; the page's own ``title`` (a test checks they agree).
    title: str
    #: ``resources/<icon>.svg``
    icon: str
    build: Callable[[PageServices], Page]


# Each builder imports its page only when called: after the first paint.


def _projects_page(services: PageServices) -> Page:
    from pypidesk.gui.pages.projects import ProjectsPage  # noqa: PLC0415

    return ProjectsPage()


def _publish_page(services: PageServices) -> Page:
    from pypidesk.gui.pages.publish import PublishPage  # noqa: PLC0415

    session = services.session
    return PublishPage(
        settings=session.settings, profiles=session.profiles, credentials=session.credentials
    )


def _tokens_page(services: PageServices) -> Page:
    from pypidesk.gui.pages.tokens import TokensPage  # noqa: PLC0415

    return TokensPage(save_token=services.session.save_upload_token)


def _invitations_page(services: PageServices) -> Page:
    from pypidesk.gui.pages.invitations import InvitationsPage  # noqa: PLC0415

    return InvitationsPage()


def _activity_page(services: PageServices) -> Page:
    from pypidesk.gui.pages.activity import ActivityPage  # noqa: PLC0415

    return ActivityPage()


def _local_index_page(services: PageServices) -> Page:
    from pypidesk.gui.pages.local_index import LocalIndexPage  # noqa: PLC0415

    return LocalIndexPage(services.controller)


#: Every page; Ctrl+1… follow this order.
PAGES = (
    PageSpec("Projects", "page-projects", _projects_page),
    PageSpec("Publish", "page-publish", _publish_page),
    PageSpec("API tokens", "page-tokens", _tokens_page),
    PageSpec("Invitations", "page-invitations", _invitations_page),
    PageSpec("Activity", "page-activity", _activity_page),
    PageSpec("Local index", "page-local-index", _local_index_page),
)


def build_pages(services: PageServices) -> list[Page]:
    """The pages of :data:`PAGES`, built once per window."""
    return [spec.build(services) for spec in PAGES]
