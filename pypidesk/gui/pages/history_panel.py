"""A history list (an account's or a project's): newest first, filterable by kind and text.

The Activity page and a project's Activity tab show the same events in the
same columns; this panel is that shared part. Its owner loads the pages of
events and hands them over (:meth:`HistoryPanel.show_first`,
:meth:`HistoryPanel.add_older`); the panel asks for more through
:attr:`HistoryPanel.more_requested` and says how many are shown.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pypidesk.client.manage_types import EventKind, HistoryEvent, HistoryPage
from pypidesk.gui import timefmt
from pypidesk.gui.record_table import Column, FilterField, RecordTableModel, RecordTableView

# What the details column shows from an event's ``additional``, in this order.
_DETAIL_KEYS = ("filename", "version", "role_name", "target_user", "name", "token_name", "reason")
_WHEN_COLUMN = 0


def _tr(text: str, count: int = -1) -> str:
    return QCoreApplication.translate("HistoryPanel", text, None, count)


def tag_labels() -> Mapping[str, str]:
    """A sentence for each event tag the server writes; unknown tags show as they are."""
    return {
        "account:create": _tr("Account created"),
        "account:login:success": _tr("Signed in"),
        "account:login:failure": _tr("Failed sign-in"),
        "account:password:change": _tr("Password changed"),
        "account:api_token:added": _tr("Token created"),
        "account:api_token:removed": _tr("Token revoked"),
        "project:api_token:removed": _tr("Project token revoked"),
        "project:create": _tr("Project created"),
        "project:release:add": _tr("Release added"),
        "project:file:add": _tr("File uploaded"),
        "project:release:yank": _tr("Release yanked"),
        "project:release:unyank": _tr("Release un-yanked"),
        "project:file:remove": _tr("File deleted"),
        "project:release:remove": _tr("Release deleted"),
        "project:remove": _tr("Project deleted"),
        "project:role:invite": _tr("Invitation sent"),
        "project:role:revoke_invite": _tr("Invitation withdrawn"),
        "project:role:accepted": _tr("Invitation accepted"),
        "project:role:decline_invite": _tr("Invitation declined"),
        "project:role:add": _tr("Role given"),
        "project:role:change": _tr("Role changed"),
        "project:role:remove": _tr("Role removed"),
    }


class HistoryPanel(QWidget):
    """Kind and text filters, the events table, and "Load older events"."""

    #: The user asked for the next, older page.
    more_requested = Signal()

    def __init__(self, name: str, table_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_history")
        self._now = timefmt.now()
        self.next_before: int | None = None
        self._labels = tag_labels()
        self.model: RecordTableModel[HistoryEvent] = RecordTableModel(self._columns(), self)
        self.view = RecordTableView(self.model)
        self.view.setObjectName(f"{name}_table")
        self.view.setAccessibleName(table_name)
        self.view.sortByColumn(_WHEN_COLUMN, Qt.SortOrder.DescendingOrder)

        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName(f"{name}_kind")
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
        self.filter_field = FilterField(f"{name}_filter", self.tr("Filter events"))
        self.filter_field.filter_changed.connect(self._apply_filter)
        self.more_button = QPushButton(self.tr("Load &older events"))
        self.more_button.setObjectName(f"{name}_more")
        self.more_button.setAccessibleName(self.tr("Load older events"))
        self.more_button.clicked.connect(self.more_requested)
        self.shown_label = QLabel()
        self.shown_label.setObjectName(f"{name}_shown")

        bar = QHBoxLayout()
        show = QLabel(self.tr("Show:"))
        show.setBuddy(self.kind_filter)
        bar.addWidget(show)
        bar.addWidget(self.kind_filter)
        bar.addStretch(1)
        bar.addWidget(self.filter_field)
        foot = QHBoxLayout()
        foot.addWidget(self.shown_label)
        foot.addStretch(1)
        foot.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addLayout(foot)

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

    # -- data in ---------------------------------------------------------------------------

    def show_first(self, page: HistoryPage) -> bool:
        """Show the newest page of events; False if there are none."""
        self._now = timefmt.now()
        self.next_before = page.next_before
        self.model.set_rows(page.events)
        self.view.resizeColumnsToContents()
        self._show_counts()
        return bool(page.events)

    def add_older(self, page: HistoryPage) -> None:
        self.next_before = page.next_before
        self.model.add_rows(page.events)
        self._show_counts()

    # -- filters ---------------------------------------------------------------------------

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
        self.more_button.setVisible(self.next_before is not None)


def _tag(event: HistoryEvent) -> str:
    return event.tag


def _details(event: HistoryEvent) -> str:
    parts = []
    for key in _DETAIL_KEYS:
        value = event.additional.get(key)
        if value not in (None, ""):
            parts.append(str(value))
    return " · ".join(parts)
