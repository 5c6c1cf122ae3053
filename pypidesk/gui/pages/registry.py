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


@dataclasses.dataclass(frozen=True, slots=True)
class PageSpec:
    #: The left column's label; the page's own ``title`` (a test checks they agree).
    title: str
    #: ``resources/<icon>.svg``
    icon: str
    build: Callable[[LocalIndexController], Page]


def _local_index_page(controller: LocalIndexController) -> Page:
    from pypidesk.gui.pages.local_index import LocalIndexPage  # noqa: PLC0415 - after the paint

    return LocalIndexPage(controller)


#: Every page; Ctrl+1… follow this order.
PAGES = (PageSpec("Local index", "page-local-index", _local_index_page),)


def build_pages(controller: LocalIndexController) -> list[Page]:
    """The pages of :data:`PAGES`, built once per window."""
    return [spec.build(controller) for spec in PAGES]
