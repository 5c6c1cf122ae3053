"""The right half of the Projects page: one project's releases, files, description and management.

Tabs Releases | Files | Description show what any index tells; Collaborators
| Tokens | Activity and the yank and delete buttons use pypidesk's maintainer
API, or open the index's own page where it has none (and say why).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from pypidesk.client.errors import ClientError
from pypidesk.client.manage_support import ProjectPage
from pypidesk.client.models import DistFile, ProjectDetail, ReleaseInfo
from pypidesk.gui.formatting import count_text
from pypidesk.gui.models.projects import FilesModel, ReleasesModel
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.pages.project_activity import ProjectActivityTab
from pypidesk.gui.pages.project_collaborators import CollaboratorsTab
from pypidesk.gui.pages.project_tab import OWNER, ManageAccess, ProjectTab, Starter
from pypidesk.gui.pages.project_tokens import ProjectTokensTab
from pypidesk.gui.pages.release_actions import ReleaseActions
from pypidesk.gui.record_view import RecordTableView


def open_url(url: QUrl) -> bool:
    """Open ``url`` in the user's browser (tests replace this)."""
    return QDesktopServices.openUrl(url)  # pragma: no cover - would open a real browser


def _open(url: QUrl) -> object:
    return open_url(url)  # looked up at call time, so tests can replace open_url


def _run_untracked(coroutine: Coroutine[Any, Any, object]) -> None:
    asyncio.ensure_future(coroutine)  # noqa: RUF006 - only when no page tracks the work


def _name(widget: QWidget, object_name: str, accessible_name: str) -> None:
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)


class ProjectDetailPane(QWidget):
    """Header, then tabs Releases | Files | Description | Collaborators | Tokens | Activity;
    or a message (loading, error)."""

    #: The user asked to load the project again after an error.
    retry_requested = Signal()
    #: The project changed on the index (yanked, deleted, a role): reload list and project.
    changed = Signal()
    #: A short sentence for the status bar.
    status_message = Signal(str)

    RELEASES_TAB, FILES_TAB, DESCRIPTION_TAB, COLLABORATORS_TAB, TOKENS_TAB, ACTIVITY_TAB = range(
        6
    )

    def __init__(self, parent: QWidget | None = None, *, start: Starter | None = None) -> None:
        super().__init__(parent)
        self.detail: ProjectDetail | None = None
        self._start = start or _run_untracked
        self.access = ManageAccess()
        #: Whether the index has the maintainer API (None: not known yet).
        self.has_api: bool | None = None
        self.release_actions = ReleaseActions(self.access, _open, self)
        self.release_actions.changed.connect(self.changed)
        self.release_actions.notice.connect(self.show_notice)
        self.release_actions.status_message.connect(self.status_message)

        self._build_header()
        releases_tab = self._build_releases_tab()
        files_tab = self._build_files_tab()

        self.description = QTextBrowser()
        _name(self.description, "descriptionBrowser", self.tr("Description"))
        # Links leave the app for the browser; the view never navigates itself.
        self.description.setOpenLinks(False)
        self.description.anchorClicked.connect(self._open_link)

        self.tabs = QTabWidget()
        _name(self.tabs, "projectTabs", self.tr("Project details"))
        _name(self.tabs.tabBar(), "projectTabBar", self.tr("Project detail tabs"))
        self.tabs.addTab(releases_tab, self.tr("Releases"))
        self.tabs.addTab(files_tab, self.tr("Files"))
        self.tabs.addTab(self.description, self.tr("Description"))
        self._add_manage_tabs()
        self.tabs.currentChanged.connect(self._tab_changed)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        header_row = QHBoxLayout()
        header_row.addWidget(self.header, 1)
        header_row.addWidget(self.delete_project_button)
        content_layout.addLayout(header_row)
        content_layout.addWidget(self.summary)
        content_layout.addWidget(self.notice)
        content_layout.addWidget(self.tabs, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(content)
        self.stack.addWidget(self._build_message_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.show_message(self.tr("Select a project to see its releases and files."))

    def _build_header(self) -> None:
        self.header = QLabel()
        self.header.setObjectName("projectHeader")
        font = QFont(self.header.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.header.setFont(font)
        self.delete_project_button = QPushButton(self.tr("Delete project…"))
        _name(self.delete_project_button, "deleteProjectButton", self.tr("Delete the project"))
        self.delete_project_button.clicked.connect(self._delete_project)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.notice = QLabel()
        self.notice.setObjectName("projectNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()

    def _add_manage_tabs(self) -> None:
        self.collaborators_tab = CollaboratorsTab(self.access, self._start, _open)
        self.tokens_tab = ProjectTokensTab(self.access, self._start, _open)
        self.activity_tab = ProjectActivityTab(self.access, self._start, _open)
        self.manage_tabs: tuple[ProjectTab, ...] = (
            self.collaborators_tab,
            self.tokens_tab,
            self.activity_tab,
        )
        for tab, title in zip(
            self.manage_tabs,
            (self.tr("Collaborators"), self.tr("Tokens"), self.tr("Activity")),
            strict=True,
        ):
            self.tabs.addTab(tab, title)
            tab.changed.connect(self.changed)
            tab.status_message.connect(self.status_message)

    def _build_releases_tab(self) -> QWidget:
        self.releases_model = ReleasesModel(self)
        self.releases_view = RecordTableView(
            self.releases_model, "releasesTable", self.tr("Releases")
        )
        self.releases_view.set_column_widths(90, 110, 50)
        self.releases_view.selectionModel().selectionChanged.connect(self._release_changed)
        self.yank_button = QPushButton(self.tr("Yank…"))
        _name(self.yank_button, "yankButton", self.tr("Yank the selected release"))
        self.yank_button.clicked.connect(self._yank)
        self.delete_release_button = QPushButton(self.tr("Delete release…"))
        _name(
            self.delete_release_button,
            "deleteReleaseButton",
            self.tr("Delete the selected release"),
        )
        self.delete_release_button.clicked.connect(self._delete_release)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.yank_button)
        bar.addSpacing(16)
        bar.addWidget(self.delete_release_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.releases_view)
        return tab

    def _build_files_tab(self) -> QWidget:
        self.files_model = FilesModel(self)
        self.files_view = RecordTableView(self.files_model, "filesTable", self.tr("Files"))
        # Filenames are long (name, version and every tag): give them the room.
        self.files_view.set_column_widths(250, 55, 60, 75, 100)
        self.files_view.doubleClicked.connect(lambda _index: self.open_selected_file())
        self.files_caption = QLabel()
        self.copy_sha_button = QPushButton(self.tr("Copy sha256"))
        _name(self.copy_sha_button, "copySha256Button", self.tr("Copy the file's sha256"))
        self.copy_sha_button.clicked.connect(self.copy_selected_sha256)
        self.open_file_button = QPushButton(self.tr("Open file link"))
        _name(self.open_file_button, "openFileButton", self.tr("Open the file's link"))
        self.open_file_button.clicked.connect(self.open_selected_file)
        self.delete_file_button = QPushButton(self.tr("Delete file…"))
        _name(self.delete_file_button, "deleteFileButton", self.tr("Delete the selected file"))
        self.delete_file_button.clicked.connect(self._delete_file)
        self.files_view.selectionModel().selectionChanged.connect(self._update_file_buttons)
        files_tab = QWidget()
        files_buttons = QHBoxLayout()
        files_buttons.addWidget(self.files_caption, 1)
        files_buttons.addWidget(self.copy_sha_button)
        files_buttons.addWidget(self.open_file_button)
        files_buttons.addSpacing(16)  # the destructive button apart from the harmless ones
        files_buttons.addWidget(self.delete_file_button)
        files_layout = QVBoxLayout(files_tab)
        files_layout.setContentsMargins(0, 0, 0, 0)
        files_layout.addLayout(files_buttons)
        files_layout.addWidget(self.files_view)
        return files_tab

    def _build_message_page(self) -> QWidget:
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(self.tr("Retry"))
        _name(self.retry_button, "projectRetryButton", self.tr("Load the project again"))
        self.retry_button.clicked.connect(self.retry_requested)
        message_page = QWidget()
        message_layout = QVBoxLayout(message_page)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message)
        message_layout.addWidget(self.retry_button)
        message_layout.addStretch(2)
        return message_page

    # -- states ----------------------------------------------------------------------------

    def show_message(self, text: str, *, retry: bool = False) -> None:
        self.message.setText(text)
        self.retry_button.setVisible(retry)
        self.stack.setCurrentIndex(1)

    def set_context(self, context: IndexContext | None) -> None:
        """The index the Projects page shows now (and who is signed in)."""
        self.access.set_context(context)
        self.has_api = None
        self.detail = None
        for tab in self.manage_tabs:
            tab.set_project(None)

    def show_detail(self, detail: ProjectDetail, description_html: str) -> None:
        """Show ``detail``; ``description_html`` is already rendered (off the GUI thread)."""
        same_project = self.detail is not None and self.detail.name == detail.name
        selected = self.selected_release()
        if not same_project:
            self.show_notice("", False)
        self.detail = detail
        self.header.setText(
            f"{detail.name} {detail.latest_version}" if detail.latest_version else detail.name
        )
        self.summary.setText(detail.summary or "")
        self.summary.setVisible(bool(detail.summary))
        self.releases_model.set_records(detail.releases)
        row = 0
        if same_project and selected is not None:
            found = self.releases_model.row_where(lambda r: r.version == selected.version)
            row = found if found is not None else 0
        if detail.releases:
            self.releases_view.select_row(row)
        else:
            self._show_files(None)
        if description_html:
            self.description.setHtml(description_html)
        elif detail.source == "simple":
            self.description.setPlainText(
                self.tr("This index only offers the Simple API, which has no descriptions.")
            )
        else:
            self.description.setPlainText(self.tr("This project has no description."))
        self.stack.setCurrentIndex(0)
        # What the management tabs showed is out of date (another project, or a change).
        for tab in self.manage_tabs:
            tab.set_project(detail.name)
        self._tab_changed(self.tabs.currentIndex())
        self._update_actions()

    async def find_api(self) -> None:
        """Ask the index once whether it has the maintainer API; the buttons say what they do.

        The Projects page awaits it before it shows a project (at once after the first).
        """
        context = self.access.context
        if self.has_api is not None:
            return
        try:
            has_api = await self.access.has_api()
        except ClientError:
            return  # the tabs say it when they load; the buttons ask again
        if context is self.access.context:
            self.has_api = has_api
            self._update_actions()

    def _tab_changed(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if isinstance(tab, ProjectTab) and tab.stale and tab.project is not None:
            self._start(tab.load())

    def show_notice(self, text: str, refusal: bool) -> None:
        """A sentence above the tabs: why an action opened a web page, or a refusal."""
        self.notice.setText(text)
        self.notice.setStyleSheet("color: #c62828; font-weight: bold" if refusal else "")
        self.notice.setVisible(bool(text))

    def _update_actions(self) -> None:
        """Enable what the index and my role allow; say in a tooltip why not."""
        release = self.selected_release()
        no_way = (
            self.has_api is False
            and self.access.web_page(ProjectPage.RELEASES, self.detail.name if self.detail else "")
            is None
        )
        not_owner = self.access.role is not None and self.access.role != OWNER
        why = ""
        if no_way:
            why = self.tr("{0} has no way to yank or delete from outside.").format(
                self.access.index_name
            )
        elif not_owner:
            why = self.tr("Only an Owner of the project can yank or delete.")
        allowed = self.detail is not None and not why
        if release is not None and release.yanked:
            self.yank_button.setText(self.tr("Un-yank…"))
            self.yank_button.setAccessibleName(self.tr("Un-yank the selected release"))
        else:
            self.yank_button.setText(self.tr("Yank…"))
            self.yank_button.setAccessibleName(self.tr("Yank the selected release"))
        self.yank_button.setEnabled(allowed and release is not None)
        self.delete_release_button.setEnabled(allowed and release is not None)
        self.delete_file_button.setEnabled(allowed and self.selected_file() is not None)
        self.delete_project_button.setEnabled(allowed)
        for button in (
            self.yank_button,
            self.delete_release_button,
            self.delete_file_button,
            self.delete_project_button,
        ):
            button.setToolTip(why)
        if self.has_api is False and not no_way and self.detail is not None:
            self.show_notice(
                self.tr(
                    "{0} has no API for yanking or deleting: those buttons open its own "
                    "pages in your browser."
                ).format(self.access.index_name),
                False,
            )

    def _yank(self) -> None:
        release = self.selected_release()
        if self.detail is not None and release is not None:
            self._start(self.release_actions.yank_or_unyank(self.detail.name, release))

    def _delete_release(self) -> None:
        release = self.selected_release()
        if self.detail is not None and release is not None:
            self._start(self.release_actions.delete_release(self.detail.name, release))

    def _delete_file(self) -> None:
        release, file = self.selected_release(), self.selected_file()
        if self.detail is not None and release is not None and file is not None:
            self._start(self.release_actions.delete_file(self.detail.name, file, release.version))

    def _delete_project(self) -> None:
        if self.detail is not None:
            self._start(self.release_actions.delete_project(self.detail.name))

    def _open_link(self, url: QUrl) -> None:
        open_url(url)

    # -- releases and files ------------------------------------------------------------

    def selected_release(self) -> ReleaseInfo | None:
        rows = self.releases_view.selected_rows()
        return self.releases_model.record(rows[0]) if rows else None

    def selected_file(self) -> DistFile | None:
        rows = self.files_view.selected_rows()
        return self.files_model.record(rows[0]) if rows else None

    def _release_changed(self) -> None:
        self._show_files(self.selected_release())
        self._update_actions()

    def _show_files(self, release: ReleaseInfo | None) -> None:
        self.files_model.set_records(release.files if release else ())
        if release is None:
            self.files_caption.setText(self.tr("No release selected."))
        else:
            count = len(release.files)
            caption = count_text("ProjectDetailPane", count, "1 file in %1", "%n files in %1")
            self.files_caption.setText(caption.replace("%1", release.version))
            if release.files:
                self.files_view.select_row(0)
        self._update_file_buttons()

    def _update_file_buttons(self) -> None:
        file = self.selected_file()
        self.copy_sha_button.setEnabled(file is not None and file.sha256 is not None)
        self.open_file_button.setEnabled(file is not None and bool(file.url))
        self._update_actions()

    def copy_selected_sha256(self) -> None:
        file = self.selected_file()
        if file is not None and file.sha256 is not None:
            QGuiApplication.clipboard().setText(file.sha256)

    def open_selected_file(self) -> None:
        file = self.selected_file()
        if file is not None and file.url:
            open_url(QUrl(file.url))
