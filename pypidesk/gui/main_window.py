"""The frame: toolbar (index, reachability, who is signed in), the pages, the status bar.

The frame owns no page logic. It hands every page an
:class:`~pypidesk.gui.pages.base.IndexContext` whenever the profile, its
reachability or the signed-in user changes, and asks the current page to
refresh on F5. The state behind the toolbar lives in :class:`Session`.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from pypidesk.client.credentials import SESSION_ONLY_NOTICE
from pypidesk.client.errors import ClientError
from pypidesk.client.profiles import ProfileKind
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.pages.registry import PAGES
from pypidesk.gui.resources import icon
from pypidesk.gui.session_state import Reachability, SessionState, builtin_profiles

# Not imported here: PySide6 builds a type on first access, and the ``Qt`` namespace
# alone (every enum of Qt) costs more than painting the frame; QUrl and
# QCloseEvent are not needed before the first paint either.
if TYPE_CHECKING:
    import asyncio

    from PySide6.QtGui import QCloseEvent

    from pypidesk.gui.local_index import LocalIndexController, LocalIndexStatus
    from pypidesk.gui.pages.base import IndexContext, Page
    from pypidesk.gui.session import Session

log = logging.getLogger(__name__)

REACHABILITY_COLOURS = {
    Reachability.UNKNOWN: "#757575",
    Reachability.CHECKING: "#b26a00",
    Reachability.REACHABLE: "#2e7d32",
    Reachability.UNREACHABLE: "#c62828",
}
# How long a page's status message stays in the status bar.
MESSAGE_MS = 8000


class MainWindow(QMainWindow):
    """Top-level window; emits :attr:`closing` so ``main`` can shut down in order."""

    closing = Signal()

    def __init__(self, settings: AppSettings, log_dir: Path) -> None:
        """The frame alone: cheap enough to be painted before the network code loads.

        :meth:`attach` then adds the pages, the local index and the session.
        """
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("pypidesk")
        self._settings = settings
        self._log_dir = log_dir
        self._session: Session | None = None
        self._controller: LocalIndexController | None = None
        self.pages: list[Page] = []
        self._busy_pages: set[Page] = set()
        self._pushed: IndexContext | bool | None = False  # False: nothing pushed yet
        self._push_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        self._local_url: tuple[str | None, bool] | None = None
        self._showing_error = False
        # Set once the window closes or its pages are released: from then on it
        # starts no work (a late status or session change must not load a page).
        self._released = False

        self._build_toolbar()
        self._build_page_column()
        self._build_status_bar()
        # Until attach(): the toolbar as it will look, but nothing to click yet.
        self.index_status.setText(self.tr("Local index: starting…"))
        self.profile_combo.addItem(settings.selected_profile or builtin_profiles(None)[0].name)
        self.reachability_label.setText(self.tr("checking…"))
        self._retry_action.setVisible(False)
        self.sign_in_button.setText(self.tr("Sign in…"))
        self.sign_in_button.setAccessibleName(self.tr("Sign in"))
        for widget in (self.profile_combo, self.profiles_button, self.sign_in_button):
            widget.setEnabled(False)
        self.refresh_action.setEnabled(False)

        geometry = settings.window_geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1100, 700)
        splitter_state = settings.splitter_state(self.splitter.objectName())
        if splitter_state is not None:
            self.splitter.restoreState(splitter_state)

    def attach(self, controller: LocalIndexController, session: Session) -> None:
        """Add the pages, and show the local index and the session from now on."""
        self._controller = controller
        self._session = session
        self._add_pages(controller, session)
        from PySide6.QtCore import Qt  # noqa: PLC0415 - see the imports

        for widget in (self.profile_combo, self.profiles_button):
            widget.setEnabled(True)
        self.profiles_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_action.setEnabled(True)
        # The desktop theme's icons where it has them: looked up after the first paint,
        # as searching the icon theme's folders takes a while on a cold start.
        self.refresh_action.setIcon(icon("refresh", "view-refresh"))
        self.help_button.setIcon(icon("help", "help-about"))
        # Here, not in __init__: setShortcut makes PySide6 build the whole Qt namespace.
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self._fill_profiles()
        session.changed.connect(self._show_session)
        controller.status_changed.connect(self._show_index_status)
        controller.account_ready.connect(self._adopt_local_account)
        self._show_index_status(controller.status)
        self._show_session(session.state)

    # -- building -------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Index"))
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(20, 20))
        self.addToolBar(bar)
        self._add_profile_widgets(bar)
        self._add_account_widgets(bar)
        self._add_help_widgets(bar)

    def _add_profile_widgets(self, bar: QToolBar) -> None:
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("profileCombo")
        self.profile_combo.setAccessibleName(self.tr("Index profile"))
        self.profile_combo.setToolTip(self.tr("Which index the pages show"))
        self.profile_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.profile_combo.activated.connect(self._profile_chosen)
        bar.addWidget(self.profile_combo)

        self.profiles_button = QToolButton()
        self.profiles_button.setObjectName("profilesButton")
        self.profiles_button.setIcon(icon("profiles"))
        self.profiles_button.setText(self.tr("Profiles…"))
        self.profiles_button.setAccessibleName(self.tr("Edit index profiles"))
        self.profiles_button.setToolTip(self.tr("Add, edit or remove index profiles"))
        self.profiles_button.clicked.connect(self._edit_profiles)
        bar.addWidget(self.profiles_button)

        self.reachability_label = QLabel()
        self.reachability_label.setObjectName("reachabilityLabel")
        self.reachability_label.setContentsMargins(12, 0, 6, 0)
        bar.addWidget(self.reachability_label)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setObjectName("retryButton")
        self.retry_button.setAccessibleName(self.tr("Retry reaching the index"))
        self.retry_button.clicked.connect(self._retry)
        self._retry_action = bar.addWidget(self.retry_button)

    def _add_account_widgets(self, bar: QToolBar) -> None:
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)

        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.user_label.setContentsMargins(6, 0, 6, 0)
        bar.addWidget(self.user_label)
        self.sign_in_button = QPushButton()
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.clicked.connect(self._sign_in_or_out)
        bar.addWidget(self.sign_in_button)

        self.refresh_action = QAction(icon("refresh"), self.tr("Refresh"), self)
        self.refresh_action.setObjectName("refreshAction")
        self.refresh_action.setToolTip(self.tr("Load the page again (F5)"))
        self.refresh_action.triggered.connect(self._refresh)
        bar.addAction(self.refresh_action)
        refresh_button = bar.widgetForAction(self.refresh_action)
        refresh_button.setObjectName("refreshButton")
        refresh_button.setAccessibleName(self.tr("Refresh"))

    def _add_help_widgets(self, bar: QToolBar) -> None:
        menu = QMenu(self)
        menu.setObjectName("helpMenu")
        self.about_action = menu.addAction(self.tr("&About pypidesk"))
        self.about_action.setObjectName("aboutAction")
        self.about_action.triggered.connect(self._about)
        self.log_folder_action = menu.addAction(self.tr("Open &log folder"))
        self.log_folder_action.setObjectName("logFolderAction")
        self.log_folder_action.triggered.connect(self.open_log_folder)
        self.help_button = QToolButton()
        self.help_button.setObjectName("helpButton")
        self.help_button.setIcon(icon("help"))
        self.help_button.setText(self.tr("Help"))
        self.help_button.setAccessibleName(self.tr("Help"))
        self.help_button.setToolTip(self.tr("Help: about pypidesk, the log folder"))
        self.help_button.setMenu(menu)
        self.help_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bar.addWidget(self.help_button)

    def _build_page_column(self) -> None:
        self.page_list = QListWidget()
        self.page_list.setObjectName("pageList")
        self.page_list.setAccessibleName(self.tr("Pages"))
        self.page_list.setIconSize(QSize(20, 20))
        self.page_list.setMinimumWidth(150)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pageStack")
        for number, spec in enumerate(PAGES, start=1):
            item = QListWidgetItem(icon(spec.icon), self.tr(spec.title))
            item.setToolTip(f"{spec.title} (Ctrl+{number})")
            self.page_list.addItem(item)
        self.page_list.currentRowChanged.connect(self.stack.setCurrentIndex)
        start_page = self._settings.current_page
        self.page_list.setCurrentRow(start_page if 0 <= start_page < len(PAGES) else 0)
        self.splitter = QSplitter()  # horizontal
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.page_list)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([180, 900])
        self.setCentralWidget(self.splitter)

    def _add_pages(self, controller: LocalIndexController, session: Session) -> None:
        # After the paint: the pages bring the network stack with them.
        from pypidesk.gui.pages.invitations import InvitationsPage  # noqa: PLC0415
        from pypidesk.gui.pages.local_index import LocalIndexPage  # noqa: PLC0415
        from pypidesk.gui.pages.registry import PageServices, build_pages  # noqa: PLC0415

        for row, page in enumerate(build_pages(PageServices(controller, session))):
            self.pages.append(page)
            self.stack.addWidget(page)
            page.busy_changed.connect(self._page_busy)
            page.status_message.connect(lambda text, page=page: self._page_message(page, text))
            page.open_page.connect(self.show_page)
            if isinstance(page, LocalIndexPage):
                self.local_index_panel = page
            if isinstance(page, InvitationsPage):
                page.count_changed.connect(lambda count, row=row: self._show_badge(row, count))
        for row in range(min(9, len(self.pages))):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{row + 1}"), self)
            shortcut.activated.connect(lambda row=row: self.page_list.setCurrentRow(row))
        # The column chose its row before the stack had pages to show.
        self.stack.setCurrentIndex(self.page_list.currentRow())

    def show_page(self, object_name: str) -> None:
        """Bring the page whose object name is ``object_name`` to the front."""
        for row, page in enumerate(self.pages):
            if page.objectName() == object_name:
                self.page_list.setCurrentRow(row)
                return

    def _show_badge(self, row: int, count: int) -> None:
        """The pending-invitations count beside the page's name in the left column."""
        title = self.tr(PAGES[row].title)
        self.page_list.item(row).setText(f"{title} ({count})" if count else title)

    def _build_status_bar(self) -> None:
        # Own labels rather than QStatusBar.showMessage, which would hide the local
        # index's state: the design wants that visible always.
        self.index_status = QLabel()
        self.index_status.setObjectName("localIndexStatus")
        self.message_label = QLabel()
        self.message_label.setObjectName("statusMessage")
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.message_label.clear)
        self.busy_indicator = QProgressBar()
        self.busy_indicator.setObjectName("busyIndicator")
        self.busy_indicator.setAccessibleName(self.tr("Working"))
        self.busy_indicator.setRange(0, 0)  # indeterminate: a moving bar
        self.busy_indicator.setMaximumWidth(120)
        self.busy_indicator.setMaximumHeight(14)
        self.busy_indicator.hide()
        self.statusBar().addWidget(self.index_status)
        self.statusBar().addWidget(self.message_label, 1)
        self.statusBar().addPermanentWidget(self.busy_indicator)

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        """A sentence in the status bar, next to the local index's state (0: until replaced)."""
        self.message_label.setText(f"  ·  {text}" if text else "")
        self.message_label.setToolTip(text)
        if timeout_ms:
            self._message_timer.start(timeout_ms)
        else:
            self._message_timer.stop()

    # -- state shown ----------------------------------------------------------------

    def _fill_profiles(self) -> None:
        self.profile_combo.clear()
        for profile in self.session.profiles():
            self.profile_combo.addItem(profile.name)
        self.profile_combo.setCurrentText(self.session.state.profile.name)

    def _show_index_status(self, status: LocalIndexStatus) -> None:
        from pypidesk.gui.local_index import IndexState  # noqa: PLC0415 - loaded by now

        self.index_status.setText(status.describe())
        url = status.url if status.state is IndexState.RUNNING else None
        starting = status.state is IndexState.STARTING
        if (url, starting) != self._local_url:
            self._local_url = (url, starting)
            self._start(self.session.local_index_moved(url, starting=starting))

    def _show_session(self, state: SessionState) -> None:
        profile = state.profile
        self.setWindowTitle(self.tr("%1 — pypidesk").replace("%1", profile.name))
        if self.profile_combo.currentText() != profile.name:
            self.profile_combo.setCurrentText(profile.name)
        self.profile_combo.setToolTip(profile.index_url)
        if profile.kind is ProfileKind.LOCAL:
            unreachable_text = self.tr("not running")
        else:
            host = urlsplit(profile.base_url).hostname or profile.base_url
            unreachable_text = self.tr("can't reach %1").replace("%1", host)
        texts = {
            Reachability.UNKNOWN: self.tr("not checked yet"),
            Reachability.CHECKING: self.tr("checking…"),
            Reachability.REACHABLE: self.tr("reachable"),
            Reachability.UNREACHABLE: unreachable_text,
        }
        colour = REACHABILITY_COLOURS[state.reachability]
        self.reachability_label.setText(
            f'<span style="color:{colour}">●</span> {texts[state.reachability]}'
        )
        self.reachability_label.setToolTip(state.error or profile.base_url)
        unreachable = state.reachability is Reachability.UNREACHABLE
        self._retry_action.setVisible(unreachable)
        if unreachable and state.error:
            self.show_message(state.error)
            self._showing_error = True
        elif self._showing_error:
            self.show_message("")
            self._showing_error = False

        if state.username:
            text = state.username
            if self.session.store.session_only:
                text = self.tr("%1 (this session only)").replace("%1", state.username)
            self.user_label.setText(text)
            self.user_label.setToolTip(
                SESSION_ONLY_NOTICE if self.session.store.session_only else ""
            )
            self.sign_in_button.setText(self.tr("Sign out"))
            self.sign_in_button.setAccessibleName(self.tr("Sign out"))
        else:
            self.user_label.setText(self.tr("Not signed in"))
            self.user_label.setToolTip("")
            self.sign_in_button.setText(self.tr("Sign in…"))
            self.sign_in_button.setAccessibleName(self.tr("Sign in"))
        self.sign_in_button.setEnabled(state.reachability is Reachability.REACHABLE)
        self._update_busy()
        self._push_context()

    def _page_busy(self, busy: bool) -> None:
        page = next((p for p in self.pages if p is self.sender()), None)
        if page is not None:
            if busy:
                self._busy_pages.add(page)
            else:
                self._busy_pages.discard(page)
        self._update_busy()

    def _page_message(self, page: Page, text: str) -> None:
        # Pages load in the background; only the page in view may speak, or
        # "1 token" would show under the Projects page.
        if page is self.stack.currentWidget():
            self.show_message(text, MESSAGE_MS)

    def _update_busy(self) -> None:
        checking = self.session.state.reachability is Reachability.CHECKING
        self.busy_indicator.setVisible(checking or bool(self._busy_pages))

    @property
    def is_busy(self) -> bool:
        return self.busy_indicator.isVisibleTo(self)

    # -- pages ----------------------------------------------------------------------

    def _push_context(self) -> None:
        """Hand every page the current context, once per real change."""
        context = self.session.context()
        if self._released or context == self._pushed:
            return
        self._pushed = context
        if self._push_task is not None:
            self._push_task.cancel()
        self._push_task = self._start(self._show_context(context))

    async def _show_context(self, context: IndexContext | None) -> None:
        for page in self.pages:
            try:
                await page.show_context(context)
            except ClientError as exc:
                self.show_message(str(exc))

    async def release_pages(self) -> None:
        """Stop the window's work and release every page; before the loop ends.

        ``closeEvent`` can only cancel (it is not a coroutine); a cancelled request
        still has to unwind on the running loop, so whoever ends the loop awaits this
        first. From the first call on the window starts nothing new; each page then
        drops its index (timers stop) and finishes its own work. Safe before or
        after ``close()``, and more than once; call it before the window is deleted.
        """
        import asyncio  # noqa: PLC0415 - loaded by now; kept off the first paint

        self._released = True
        pending = [task for task in (self._push_task, *self._tasks) if task is not None]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for page in self.pages:
            try:
                await page.show_context(None)
            except ClientError as exc:  # a page's own trouble must not stop the others
                log.warning("Releasing the %s page: %s", page.title, exc)
        for page in self.pages:
            await page.wait_idle()

    async def wait_for_pages(self) -> None:
        """Until the pages have taken the latest context (tests, and orderly shutdown)."""
        import asyncio  # noqa: PLC0415 - loaded by now; kept off the first paint

        while self._push_task is not None and not self._push_task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._push_task)

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("MainWindow.attach() has not run yet")
        return self._session

    @property
    def controller(self) -> LocalIndexController:
        if self._controller is None:
            raise RuntimeError("MainWindow.attach() has not run yet")
        return self._controller

    @property
    def settings(self) -> AppSettings:
        return self._settings

    def reload_profile_list(self) -> None:
        """Show the profiles as the settings hold them now (after the dialog, or a test)."""
        self._fill_profiles()

    @property
    def current_page(self) -> Page:
        return self.pages[self.stack.currentIndex()]

    def _start(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
        """Run ``coroutine`` on the loop; its failure reaches sys.excepthook, as asyncSlot's.

        Once the window is closing nothing starts (None): the loop is about to end.
        """
        import asyncio  # noqa: PLC0415 - loaded by now; kept off the first paint

        if self._released:
            coroutine.close()
            return None
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            sys.excepthook(type(error), error, error.__traceback__)

    # -- actions --------------------------------------------------------------------

    def _profile_chosen(self, row: int) -> None:
        self._start(self.session.select(self.profile_combo.itemText(row)))

    def _retry(self) -> None:
        self._start(self.session.check())

    def _refresh(self) -> None:
        self._start(self.refresh())

    async def refresh(self) -> None:
        """F5: the current page loads again; an unreachable index is asked again first."""
        if self.session.state.reachability is not Reachability.REACHABLE:
            await self.session.check()
            return
        try:
            await self.current_page.refresh()
        except ClientError as exc:
            self.show_message(str(exc))

    def _sign_in_or_out(self) -> None:
        self._start(self.sign_in_or_out())

    async def sign_in_or_out(self) -> None:
        state = self.session.state
        if state.username:
            await self.session.sign_out()
            self.show_message(
                self.tr("Signed out of %1.").replace("%1", state.profile.name), MESSAGE_MS
            )
            return
        from pypidesk.gui.dialogs import sign_in  # noqa: PLC0415 - only when asked for

        has_api = bool(state.has_maintainer_api)
        signed_in = await sign_in.ask(self, state.profile.name, has_api, self._attempt_sign_in)
        if signed_in and self.session.store.session_only:
            self.show_message(SESSION_ONLY_NOTICE)

    async def _attempt_sign_in(self, username: str, secret: str) -> str | None:
        if not self.session.state.has_maintainer_api:
            await self.session.sign_in_with_token(username, secret)
            return None
        try:
            await self.session.sign_in(username, secret)
        except ClientError as exc:
            return str(exc)
        return None

    def _adopt_local_account(self, username: str, token: str) -> None:
        self._start(self.session.adopt_local_account(username, token))

    def _edit_profiles(self) -> None:
        self._start(self.edit_profiles())

    async def edit_profiles(self) -> None:
        from pypidesk.gui.dialogs import profiles  # noqa: PLC0415 - only when asked for

        reserved = [p.name for p in builtin_profiles(None)]
        edited = await profiles.ask(self, self._settings.custom_profiles, reserved)
        if edited is None:
            return
        self._settings.custom_profiles = edited
        self._settings.sync()
        await self.session.reload_profiles()
        self.reload_profile_list()

    def _about(self) -> None:
        from pypidesk.gui.dialogs import about  # noqa: PLC0415 - only when asked for

        self._start(about.show(self, self._log_dir, self._settings.local_index_data_dir))

    def open_log_folder(self) -> None:
        self._log_dir.mkdir(parents=True, exist_ok=True)
        from PySide6.QtCore import QUrl  # noqa: PLC0415 - see the imports

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_dir)))

    # -- closing --------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._settings.window_geometry = self.saveGeometry()
        self._settings.set_splitter_state(self.splitter.objectName(), self.splitter.saveState())
        self._settings.current_page = self.stack.currentIndex()
        self._settings.sync()
        # Closing the window ends the app (app.py): whatever changes from now on
        # (the local index stopping, a cancelled sign-in) must not start new work.
        self._released = True
        if self._push_task is not None:
            self._push_task.cancel()
        for task in list(self._tasks):
            task.cancel()
        self.closing.emit()
        event.accept()
