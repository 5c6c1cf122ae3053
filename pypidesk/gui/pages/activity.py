"""The Activity page: my account's history, newest first, loaded page by page, filterable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pypidesk.client.manage import ManageAPI
from pypidesk.client.manage_support import ManagePage
from pypidesk.client.manage_types import EventKind, HistoryEvent, HistoryPage
from pypidesk.gui import timefmt
from pypidesk.gui.async_slot import async_slot
from pypidesk.gui.pages.managed_page import ManagedPage, UrlOpener
from pypidesk.gui.record_table import Column, FilterField, RecordTableModel, RecordTableView

PAGE_SIZE = 100
# What the details column shows from an event's ``additional``, in this order.
_DETAIL_KEYS = ("filename", "version", "role_name", "target_user", "name", "token_name", "reason")
_WHEN_COLUMN = 0


class ActivityPage(ManagedPage):
    """What I did and what was done to my account, on the index the frame shows."""

    title = "Activity"
    web_page_kind = ManagePage.ACTIVITY

    def __init__(
        self, *, open_url: UrlOpener | None = None, parent: QWidget | None = None
    ) -> None:
        kwargs: dict[str, Any] = {} if open_url is None else {"open_url": open_url}
        super().__init__("activity", parent=parent, **kwargs)
        self._now = timefmt.now()
        self._next_before: int | None = None
        self._labels = self._tag_labels()
        self.model: RecordTableModel[HistoryEvent] = RecordTableModel(self._columns(), self)
        self.view = RecordTableView(self.model)
        self.view.setObjectName("activity_table")
        self.view.setAccessibleName(self.tr("Your account's activity"))
        self.view.sortByColumn(_WHEN_COLUMN, Qt.SortOrder.DescendingOrder)

        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName("activity_kind")
        self.kind_filter.setAccessibleName(self.tr("Show events of kind"))
        for label, kind in (
            (self.tr("All events"), None),
            (self.tr("Uploads"), EventKind.UPLOAD),
            (self.tr("Token use"), EventKind.TOKEN),
            (self.tr("Role changes"), EventKind.ROLE),
            (self.tr("Yanks"), EventKind.YANK),
            (self.tr("Deletions"), EventKind.DELETION),
            (self.tr("Account"), EventKind.ACCOUNT),
        ):
            self.kind_filter.addItem(label, kind)
        self.kind_filter.currentIndexChanged.connect(self._apply_filter)
        self.filter_field = FilterField("activity_filter", self.tr("Filter events"))
        self.filter_field.filter_changed.connect(self._apply_filter)
        self.more_button = QPushButton(self.tr("Load &older events"))
        self.more_button.setObjectName("activity_more")
        self.more_button.setAccessibleName(self.tr("Load older events"))
        self.more_button.clicked.connect(self._load_more)
        self.shown_label = QLabel()
        self.shown_label.setObjectName("activity_shown")

        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Show:")))
        bar.addWidget(self.kind_filter)
        bar.addStretch(1)
        bar.addWidget(self.filter_field)
        foot = QHBoxLayout()
        foot.addWidget(self.shown_label)
        foot.addStretch(1)
        foot.addWidget(self.more_button)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addLayout(foot)

    def _tag_labels(self) -> Mapping[str, str]:
        return {
            "account:create": self.tr("Account created"),
            "account:login:success": self.tr("Signed in"),
            "account:login:failure": self.tr("Failed sign-in"),
            "account:password:change": self.tr("Password changed"),
            "account:api_token:added": self.tr("Token created"),
            "account:api_token:removed": self.tr("Token revoked"),
            "project:api_token:removed": self.tr("Project token revoked"),
            "project:create": self.tr("Project created"),
            "project:release:add": self.tr("Release added"),
            "project:file:add": self.tr("File uploaded"),
            "project:release:yank": self.tr("Release yanked"),
            "project:release:unyank": self.tr("Release un-yanked"),
            "project:file:remove": self.tr("File deleted"),
            "project:release:remove": self.tr("Release deleted"),
            "project:remove": self.tr("Project deleted"),
            "project:role:invite": self.tr("Invitation sent"),
            "project:role:revoke_invite": self.tr("Invitation withdrawn"),
            "project:role:accepted": self.tr("Invitation accepted"),
            "project:role:decline_invite": self.tr("Invitation declined"),
            "project:role:add": self.tr("Role given"),
            "project:role:change": self.tr("Role changed"),
            "project:role:remove": self.tr("Role removed"),
        }

    def _columns(self) -> list[Column[HistoryEvent]]:
        return [
            Column(
                self.tr("When"),
                lambda e: timefmt.relative(e.time, self._now),
                key=lambda e: (e.time, e.id),
                tooltip=lambda e: timefmt.exact(e.time),
            ),
            Column(self.tr("What"), lambda e: self._labels.get(e.tag, e.tag), tooltip=_tag),
            Column(self.tr("Project"), lambda e: e.project or ""),
            Column(self.tr("Details"), _details),
            Column(self.tr("Token"), lambda e: e.token_name or ""),
            Column(self.tr("From address"), lambda e: e.ip_address or ""),
        ]

    def _apply_filter(self) -> None:
        kind = self.kind_filter.currentData()
        accept = None if kind is None else (lambda e: kind in e.kinds)
        self.model.set_filter(accept, self.filter_field.text())
        self._show_counts()

    def _show_counts(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        text = timefmt.english_plural(self.tr("%n event(s) loaded", "", total), total)
        if shown != total:
            text = self.tr("{0} shown of {1}").format(shown, text)
        self.shown_label.setText(text)
        self.more_button.setVisible(self._next_before is not None)

    # -- ManagedPage -----------------------------------------------------------------------

    def page_title(self) -> str:
        return self.tr("Activity")

    def intro_text(self) -> str:
        return self.tr(
            "What you did on this index and what was done to your account, newest first: "
            "uploads, tokens, roles, yanks and deletions, with the token used."
        )

    def no_api_text(self, index_name: str, has_web_page: bool) -> tuple[str, str, str]:
        if has_web_page:
            return (
                self.tr("{0} shows your activity on its website").format(index_name),
                self.tr(
                    "{0} has no API for your account's history, so pypidesk cannot list it "
                    "here. Its account page has a security history; open it in your browser."
                ).format(index_name),
                self.tr("Open {0}'s account page").format(index_name),
            )
        return (
            self.tr("{0} keeps no activity pypidesk can show").format(index_name),
            self.tr(
                "This index (pypiserver or another without pypidesk's maintainer API) has no "
                "account history to show; its server log is the place to look."
            ),
            "",
        )

    def signed_out_text(self, index_name: str) -> str:
        return self.tr("Sign in to {0} from the toolbar to see your account's activity.").format(
            index_name
        )

    async def fetch(self, api: ManageAPI) -> HistoryPage:
        return await api.account_history(limit=PAGE_SIZE)

    def present(self, data: HistoryPage) -> bool:
        self._now = timefmt.now()
        self._next_before = data.next_before
        self.model.set_rows(data.events)
        self.view.resizeColumnsToContents()
        self._show_counts()
        return bool(data.events)

    def show_empty(self) -> None:
        self.message.show_message(
            self.tr("No activity yet"),
            self.tr(
                "Uploads, new tokens, invitations, yanks and deletions made by or for your "
                "account appear here as they happen."
            ),
        )
        self.stack.setCurrentWidget(self.message)

    # -- more ------------------------------------------------------------------------------

    @async_slot()
    async def _load_more(self) -> None:
        await self.load_more()

    async def load_more(self) -> None:
        """Fetch the next, older page and add it below what is shown."""
        api, before, generation = self.api, self._next_before, self._generation
        if api is None or before is None:
            return
        self.more_button.setEnabled(False)
        page = await self.run_action(
            self.tr("Couldn't load older events"),
            api.account_history(before=before, limit=PAGE_SIZE),
        )
        self.more_button.setEnabled(True)
        if page is None or generation != self._generation:
            return  # refused, or another index (or F5) while it loaded
        self._next_before = page.next_before
        self.model.add_rows(page.events)
        self._show_counts()


def _tag(event: HistoryEvent) -> str:
    return event.tag


def _details(event: HistoryEvent) -> str:
    parts = []
    for key in _DETAIL_KEYS:
        value = event.additional.get(key)
        if value not in (None, ""):
            parts.append(str(value))
    return " · ".join(parts)
