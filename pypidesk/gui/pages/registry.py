"""The pages of the main window, in the order of the left column: the one list of them."""

from __future__ import annotations

import dataclasses

from pypidesk.gui.local_index import LocalIndexController
from pypidesk.gui.pages.base import Page
from pypidesk.gui.pages.local_index import LocalIndexPage


@dataclasses.dataclass(frozen=True, slots=True)
class PageEntry:
    page: Page
    #: ``resources/<icon>.svg``
    icon: str


def build_pages(controller: LocalIndexController) -> list[PageEntry]:
    """Every page, built once per window; Ctrl+1… follow this order."""
    return [PageEntry(LocalIndexPage(controller), "page-local-index")]
