"""The Projects page: my projects with type-to-filter, and the selected one's details.

All network work is in coroutines (:meth:`ProjectsPage.refresh`,
:meth:`ProjectsPage.load_project`, :meth:`ProjectsPage.poll_serial`) that tests
await directly; slots only start them. An unreachable index or an HTTP error is
a state of the page with the server's text and Retry, never a dialog.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pypidesk.client.description import render_description
from pypidesk.client.errors import ClientError
from pypidesk.client.index_client import IndexClient
from pypidesk.client.models import ProjectDetail, ProjectSummary
from pypidesk.gui.formatting import count_text
from pypidesk.gui.models.projects import ProjectsModel
from pypidesk.gui.naming import with_clear_button
from pypidesk.gui.pages.base import IndexContext, Page
from pypidesk.gui.pages.project_detail import ProjectDetailPane
from pypidesk.gui.record_view import RecordTableView

#: How often the index's serial is asked while the page shows an index.
POLL_INTERVAL_MS = 5000
#: Typing pauses this long before the list is filtered (QT-NOTES "Large lists").
FILTER_DELAY_MS = 60


class ProjectsPage(Page):
    """My projects on the current index; releases, files and description of one."""

    title = "Projects"
    #: The list was shown with this many projects (after a load or refresh).
    projects_shown = Signal(int)
    #: The detail pane shows this project (after its load).
    project_shown = Signal(str)

    LIST, MESSAGE = range(2)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectsPage")
        self.client: IndexClient | None = None
        self._context: IndexContext | None = None
        self._serial: int | None = None
        self._busy = 0
        # Answers to an older question (a previous profile, project or refresh) are dropped.
        self._list_generation = 0
        self._detail_generation = 0
        self._refreshing = False
        self._tasks: set[asyncio.Task[object]] = set()

        left = self._build_list()
        self.detail = ProjectDetailPane(start=self._start)
        self.detail.retry_requested.connect(self._reload_project)
        self.detail.changed.connect(self._retry)  # yanked, deleted, a role: load again
        self.detail.status_message.connect(self.status_message)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("projectsSplitter")
        self.splitter.setAccessibleName(self.tr("Projects and details"))
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self._build_message_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_INTERVAL_MS)
        self.poll_timer.timeout.connect(self._poll)
        self._show_message(self._no_index_text())

    def _build_list(self) -> QWidget:
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("projectFilter")
        self.filter_edit.setAccessibleName(self.tr("Filter projects"))
        self.filter_edit.setPlaceholderText(self.tr("Filter projects… (Ctrl+F)"))
        with_clear_button(self.filter_edit, self.tr("Clear the filter"))
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self._focus_filter = QShortcut(QKeySequence.StandardKey.Find, self)
        self._focus_filter.activated.connect(self.focus_filter)

        self.model = ProjectsModel(self)
        self.table = RecordTableView(self.model, "projectsTable", self.tr("My projects"))
        self.table.set_column_widths(140, 80, 65)
        self.table.selectionModel().selectionChanged.connect(self._project_changed)
        self.no_match = QLabel()
        self.no_match.setVisible(False)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter_edit)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.no_match)
        return left

    def _build_message_page(self) -> QWidget:
        """The page shown instead of the list: empty, error, sign-in needed."""
        self.message = QLabel()
        self.message.setObjectName("projectsMessage")
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.message.setFont(font)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command = QLineEdit()
        self.command.setObjectName("publishCommand")
        self.command.setAccessibleName(self.tr("Command to publish a release"))
        self.command.setReadOnly(True)
        self.copy_command_button = QPushButton(self.tr("Copy command"))
        self.copy_command_button.setObjectName("copyCommandButton")
        self.copy_command_button.setAccessibleName(self.tr("Copy the publish command"))
        self.copy_command_button.clicked.connect(self.copy_command)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setObjectName("retryButton")
        self.retry_button.setAccessibleName(self.tr("Load the projects again"))
        self.retry_button.clicked.connect(self._retry)
        # The app's own way to a first release, beside twine's line.
        self.publish_button = QPushButton(self.tr("Publish a release…"))
        self.publish_button.setObjectName("openPublishButton")
        self.publish_button.setAccessibleName(self.tr("Open the Publish page"))
        self.publish_button.clicked.connect(lambda: self.open_page.emit("publish_page"))
        command_row = QHBoxLayout()
        command_row.addWidget(self.command, 1)
        command_row.addWidget(self.copy_command_button)
        command_row.addWidget(self.publish_button)
        message_page = QWidget()
        message_layout = QVBoxLayout(message_page)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message)
        message_layout.addLayout(command_row)
        message_layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignLeft)
        message_layout.addStretch(2)
        return message_page

    # -- Page ------------------------------------------------------------------------------

    async def show_context(self, context: IndexContext | None) -> None:
        self._context = context
        self._serial = None
        self._list_generation += 1
        self._detail_generation += 1
        self.model.set_records([])
        self.detail.set_context(context)
        self.detail.show_message(self.tr("Select a project to see its releases and files."))
        if context is None:
            self.client = None
            self.poll_timer.stop()
            self._show_message(self._no_index_text())
            return
        self.client = IndexClient(
            context.http, context.profile, username=context.username, token=context.token
        )
        self.poll_timer.start()
        await self.refresh()

    async def refresh(self) -> None:
        """Load the project list again, then the selected project."""
        client = self.client
        if client is None:
            return
        self._list_generation += 1
        generation = self._list_generation
        selected = self.selected_project()
        self._refreshing = True
        self._set_busy(True)
        try:
            projects = await client.my_projects()
            serial = await client.serial()
        except ClientError as exc:
            # The server's own text (or, on PyPI, why a username is needed), with Retry.
            if generation == self._list_generation:
                self._show_message(str(exc), retry=True)
                self.status_message.emit(self.tr("Could not load the projects"))
            return
        finally:
            self._refreshing = False
            self._set_busy(False)
        if generation != self._list_generation:
            return
        self._serial = serial
        self._show_projects(projects, selected)
        name = self.selected_project()
        if name is not None:
            await self.load_project(name)

    async def load_project(self, name: str) -> None:
        """Releases, files and rendered description of ``name`` into the detail pane."""
        client = self.client
        if client is None:
            return
        self._detail_generation += 1
        generation = self._detail_generation
        if self.detail.detail is None or self.detail.detail.name != name:
            self.detail.show_message(self.tr("Loading %1…").replace("%1", name))
        self._set_busy(True)
        try:
            detail = await client.project(name)
            # docutils can take tens of milliseconds: not on the GUI thread.
            html = await asyncio.get_running_loop().run_in_executor(
                None, render_description, detail.description, detail.description_content_type
            )
            await self.detail.find_api()  # what the yank and delete buttons can do here
        except ClientError as exc:
            if generation == self._detail_generation:
                self.detail.show_message(str(exc), retry=True)
            return
        finally:
            self._set_busy(False)
        if generation == self._detail_generation:
            self._show_detail(detail, html)

    async def poll_serial(self) -> bool:
        """Reload if the index's serial moved; True if it did. Errors wait for the next poll."""
        client = self.client
        if client is None or self._refreshing or self._serial is None:
            return False
        try:
            serial = await client.serial()
        except ClientError:
            return False
        if serial is None or serial == self._serial or client is not self.client:
            return False
        await self.refresh()
        return True

    # -- what the user sees ------------------------------------------------------------------

    def selected_project(self) -> str | None:
        rows = self.table.selected_rows()
        return self.model.record(rows[0]).name if rows else None

    def _show_projects(self, projects: list[ProjectSummary], selected: str | None) -> None:
        self.model.set_records(projects)
        count = len(projects)
        self.status_message.emit(count_text("ProjectsPage", count, "1 project", "%n projects"))
        if not projects:
            self._show_empty()
            self.projects_shown.emit(0)
            return
        self.stack.setCurrentIndex(self.LIST)
        self._update_no_match()
        row = None if selected is None else self.model.row_where(lambda p: p.name == selected)
        if row is None and self.model.rowCount() > 0:
            # The first project, so the right half never starts empty.
            row = 0
        if row is not None:
            # refresh() loads it; the selection signal must not load it a second time.
            self.table.selectionModel().blockSignals(True)
            self.table.select_row(row)
            self.table.selectionModel().blockSignals(False)
        else:
            self.detail.detail = None
            self.detail.show_message(self.tr("Select a project to see its releases and files."))
        self.projects_shown.emit(count)

    def _show_detail(self, detail: ProjectDetail, html: str) -> None:
        # My role decides what the pane offers (yank and delete are for Owners).
        roles = (p.role for p in self.model.records() if p.name == detail.name)
        self.detail.access.role = next(roles, None)
        self.detail.show_detail(detail, html)
        self.project_shown.emit(detail.name)

    def _no_index_text(self) -> str:
        # Shown while the frame has no reachable index for the page (the toolbar says why).
        return self.tr(
            "Nothing to show: the index can't be reached right now. "
            "The toolbar above says why and offers Retry."
        )

    def _show_empty(self) -> None:
        assert self._context is not None
        profile = self._context.profile
        self._show_message(
            self.tr(
                "You have no projects on %1 yet. Publish a first release from a project folder "
                "on the Publish page, or build it (python -m build) and upload it with twine "
                "(as user __token__ with an API token; for the local index, its page writes "
                "both into ~/.pypirc):"
            ).replace("%1", profile.name),
            retry=False,
            command=f"twine upload --repository-url {profile.upload_url} dist/*",
        )

    def _show_message(self, text: str, *, retry: bool = False, command: str = "") -> None:
        self.message.setText(text)
        self.command.setText(command)
        self.command.setVisible(bool(command))
        self.copy_command_button.setVisible(bool(command))
        self.publish_button.setVisible(bool(command))
        self.retry_button.setVisible(retry)
        self.stack.setCurrentIndex(self.MESSAGE)

    def _set_busy(self, busy: bool) -> None:
        before = self._busy > 0
        self._busy += 1 if busy else -1
        if (self._busy > 0) != before:
            self.busy_changed.emit(self._busy > 0)

    def apply_filter(self) -> None:
        """Filter the list now (the box calls this after a short pause in typing)."""
        self._filter_timer.stop()
        selected = self.selected_project()
        self.model.set_filter(self.filter_edit.text())
        self._update_no_match()
        row = None if selected is None else self.model.row_where(lambda p: p.name == selected)
        if row is not None:
            self.table.selectionModel().blockSignals(True)
            self.table.select_row(row)
            self.table.selectionModel().blockSignals(False)

    def _update_no_match(self) -> None:
        nothing = self.model.rowCount() == 0 and self.model.total_count() > 0
        self.no_match.setText(
            self.tr("No project matches “%1”.").replace("%1", self.filter_edit.text().strip())
        )
        self.no_match.setVisible(nothing)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self.command.text())

    # -- thin slots ----------------------------------------------------------------------

    def _start(self, coroutine: Coroutine[Any, Any, object]) -> None:
        """Run ``coroutine`` on the loop, tracked so that :meth:`wait_idle` can await it."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # As qasync's asyncSlot does: an unexpected failure is reported, not lost.
            error = task.exception()
            assert error is not None
            sys.excepthook(type(error), error, error.__traceback__)

    async def wait_idle(self) -> None:
        """Wait until the loads that clicks and timers started are done."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _retry(self) -> None:
        self._start(self.refresh())

    def _poll(self) -> None:
        self._start(self.poll_serial())

    def _project_changed(self) -> None:
        name = self.selected_project()
        if name is not None:
            self._start(self.load_project(name))

    def _reload_project(self) -> None:
        self._project_changed()
