"""The Local index page: the bundled server's state, address, data, log, and its controls.

Every button is a thin slot over a :class:`LocalIndexController` coroutine;
the two questions it asks (write ``~/.pypirc``, reset) are ``ask_*``
functions passed in, so tests answer them without a nested event loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pypidesk.client import pypirc
from pypidesk.client.profiles import ProfileKind, local_profile
from pypidesk.client.snippets import LOCAL_INDEX_NAME, pypirc_values
from pypidesk.gui.async_slot import async_slot
from pypidesk.gui.local_index import (
    AccountState,
    AccountStatus,
    IndexState,
    LocalIndexController,
    LocalIndexStatus,
)
from pypidesk.gui.pages.base import IndexContext, Page
from pypidesk.gui.pages.local_index_dialogs import ask_reset, ask_write_pypirc, monospace
from pypidesk.gui.pages.local_index_snippets import SnippetsPanel

LOG_VIEW_MAX_LINES = 2000
MAX_PORT = 65535

STATE_COLOURS = {
    IndexState.RUNNING: "#2e7d32",
    IndexState.STARTING: "#b26a00",
    IndexState.FAILED: "#c62828",
    IndexState.STOPPED: "#757575",
}

AskWrite = Callable[[QWidget, pypirc.PypircChange, bool], Awaitable[bool]]
AskReset = Callable[[QWidget, Path], Awaitable[bool]]


def _selectable(label: QLabel, name: str, accessible: str) -> QLabel:
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _button(text: str, name: str, accessible: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    return button


class LocalIndexPage(Page):
    """State, address, data folder, account, ready lines and log of the local index."""

    title = "Local index"

    def __init__(
        self,
        controller: LocalIndexController,
        parent: QWidget | None = None,
        *,
        pypirc_path: Path | None = None,
        open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
        ask_write: AskWrite = ask_write_pypirc,
        ask_reset: AskReset = ask_reset,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("localIndexPage")
        self._controller = controller
        self._pypirc_path = pypirc_path
        self._open_url = open_url
        self._ask_write = ask_write
        self._ask_reset = ask_reset
        self._busy_count = 0

        # Scrolls as a whole on a short screen instead of forcing the window taller.
        content = QWidget()
        scroll = QScrollArea()
        scroll.setObjectName("localIndexScroll")
        scroll.setAccessibleName(self.tr("Local index"))
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        self._add_heading(layout)
        layout.addLayout(self._details())
        layout.addLayout(self._buttons())
        self._add_snippets(layout)
        self._add_log(layout)

        controller.status_changed.connect(self.show_status)
        controller.account_changed.connect(self.show_account)
        controller.account_ready.connect(self._remember_token)
        controller.port_changed.connect(self.port_spin.setValue)
        controller.output.connect(self.log_view.appendPlainText)
        self.show_status(controller.status)
        self.show_account(controller.account)

    def _add_heading(self, layout: QVBoxLayout) -> None:
        heading = QLabel(self.tr("Local index"))
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(
            self.tr(
                "A package index on this machine: upload a release to it, install it from "
                "there with pip or uv, and only then publish to PyPI."
            )
        )
        intro.setWordWrap(True)

        layout.addWidget(heading)
        layout.addWidget(intro)

    def _state_box(self) -> QVBoxLayout:
        self.state_label = _selectable(QLabel(), "localIndexState", self.tr("State"))
        self.reason_label = _selectable(QLabel(), "localIndexReason", self.tr("What went wrong"))
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet(f"color: {STATE_COLOURS[IndexState.FAILED]}")
        state_box = QVBoxLayout()
        state_box.setSpacing(2)
        # The dot repeats the state in colour; the word carries it for everyone.
        self.state_dot = QLabel("●")
        self.state_dot.setAccessibleName(self.tr("State colour"))
        state_line = QHBoxLayout()
        state_line.setSpacing(4)
        state_line.addWidget(self.state_dot)
        state_line.addWidget(self.state_label, 1)
        state_box.addLayout(state_line)
        state_box.addWidget(self.reason_label)
        return state_box

    def _details(self) -> QFormLayout:
        controller = self._controller

        self.url_label = _selectable(QLabel(), "localIndexAddress", self.tr("Address"))
        self.copy_button = _button(
            self.tr("Copy address"), "copyAddressButton", self.tr("Copy the address")
        )
        self.copy_button.clicked.connect(self._copy_url)
        address_row = QHBoxLayout()
        address_row.addWidget(self.url_label, 1)
        address_row.addWidget(self.copy_button)

        self.port_spin = QSpinBox()
        self.port_spin.setObjectName("localIndexPort")
        self.port_spin.setAccessibleName(self.tr("Port"))
        self.port_spin.setRange(0, MAX_PORT)
        self.port_spin.setSpecialValueText(self.tr("any free port"))
        self.port_spin.setValue(controller.port)
        self.port_spin.setToolTip(self.tr("Used at the next start. 0 picks any free port."))
        self.port_spin.valueChanged.connect(self._set_port)
        port_row = QHBoxLayout()
        port_row.addWidget(self.port_spin)
        self.port_hint = QLabel(self.tr("used at the next start"))
        port_row.addWidget(self.port_hint)
        port_row.addStretch(1)

        self.data_dir_label = _selectable(
            QLabel(str(controller.data_dir)), "localIndexDataDir", self.tr("Data folder")
        )
        self.open_folder_button = _button(
            self.tr("Open folder"), "openDataFolderButton", self.tr("Open the data folder")
        )
        self.open_folder_button.clicked.connect(self._open_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.data_dir_label, 1)
        folder_row.addWidget(self.open_folder_button)

        # What to paste into tools that want a bare URL (poetry, hatch, a browser).
        self.index_url_label = _selectable(QLabel(), "localIndexIndexUrl", self.tr("Index URL"))
        self.upload_url_label = _selectable(QLabel(), "localIndexUploadUrl", self.tr("Upload URL"))
        for label in (self.url_label, self.index_url_label, self.upload_url_label):
            label.setFont(monospace())

        form = QFormLayout()
        form.addRow(self.tr("State:"), self._state_box())
        form.addRow(self.tr("Address:"), address_row)
        form.addRow(self.tr("Index URL:"), self.index_url_label)
        form.addRow(self.tr("Upload URL:"), self.upload_url_label)
        form.addRow(self.tr("Port:"), port_row)
        form.addRow(self.tr("Data folder:"), folder_row)
        form.addRow(self.tr("Your account:"), self._account_row())

        return form

    def _account_row(self) -> QHBoxLayout:
        self.account_label = _selectable(QLabel(), "localIndexAccount", self.tr("Your account"))
        self.account_label.setWordWrap(True)
        self.retry_account_button = _button(
            self.tr("Retry"), "retryAccountButton", self.tr("Retry creating the account")
        )
        self.retry_account_button.clicked.connect(self._retry_account)
        account_row = QHBoxLayout()
        account_row.addWidget(self.account_label, 1)
        account_row.addWidget(self.retry_account_button)
        return account_row

    def _buttons(self) -> QHBoxLayout:
        self.start_button = _button(self.tr("Start"), "startButton", self.tr("Start the index"))
        self.stop_button = _button(self.tr("Stop"), "stopButton", self.tr("Stop the index"))
        self.restart_button = _button(
            self.tr("Restart"), "restartButton", self.tr("Restart the index")
        )
        self.reset_button = _button(
            self.tr("Reset…"), "resetButton", self.tr("Reset the index, deleting its data")
        )
        self.start_button.clicked.connect(self._start)
        self.stop_button.clicked.connect(self._stop)
        self.restart_button.clicked.connect(self._restart)
        self.reset_button.clicked.connect(self._reset)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.restart_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)

        return buttons

    def _add_snippets(self, layout: QVBoxLayout) -> None:
        self.snippets = SnippetsPanel()
        self.snippets.copied.connect(self.status_message)
        self.snippets.write_pypirc_requested.connect(self._write_pypirc)
        self.notice_label = _selectable(QLabel(), "localIndexNotice", self.tr("Notice"))
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()

        layout.addWidget(self.snippets)
        layout.addWidget(self.notice_label)

    def _add_log(self, layout: QVBoxLayout) -> None:
        self.log_view = QPlainTextEdit()
        self.log_view.setObjectName("localIndexLog")
        self.log_view.setAccessibleName(self.tr("Server log"))
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(LOG_VIEW_MAX_LINES)
        self.log_view.setFont(monospace())
        self.log_view.setPlaceholderText(self.tr("The server's log appears here once it starts."))
        self.log_view.setMinimumHeight(120)

        layout.addWidget(QLabel(self.tr("Server log:")))
        layout.addWidget(self.log_view, 1)

    # What the controller reports

    def show_status(self, status: LocalIndexStatus) -> None:
        words = {
            IndexState.STOPPED: self.tr("Stopped"),
            IndexState.STARTING: self.tr("Starting…"),
            IndexState.RUNNING: self.tr("Running"),
            IndexState.FAILED: self.tr("Failed"),
        }
        self.state_label.setText(words[status.state])
        style = f"color: {STATE_COLOURS[status.state]}; font-weight: bold"
        self.state_label.setStyleSheet(style)
        self.state_dot.setStyleSheet(style)
        self.reason_label.setText(status.reason or "")
        self.reason_label.setVisible(bool(status.reason))
        running = status.state == IndexState.RUNNING and status.url is not None
        profile = local_profile(status.url) if running and status.url else None
        if profile is not None:
            self.url_label.setText(profile.base_url.rstrip("/"))
        elif status.state is IndexState.STARTING:
            self.url_label.setText(self.tr("— (starting…)"))
        else:
            self.url_label.setText("—")
        self.index_url_label.setText(profile.index_url if profile else "—")
        self.upload_url_label.setText(profile.upload_url if profile else "—")
        self.snippets.show_profile(profile)
        active = status.state in (IndexState.STARTING, IndexState.RUNNING)
        self.start_button.setEnabled(not active)
        self.stop_button.setEnabled(active)
        self.restart_button.setEnabled(status.state == IndexState.RUNNING)
        self.copy_button.setEnabled(profile is not None)
        self.port_spin.setEnabled(not active)
        self._show_retry()

    def show_account(self, account: AccountStatus) -> None:
        match account.state:
            case AccountState.CREATING:
                text = self.tr("Creating your account and an API token for this app…")
            case AccountState.READY:
                text = self.tr(
                    "{user} — this app uploads and manages with its own API token"
                ).format(user=account.username)
            case AccountState.FAILED:
                text = self.tr("Not set up: {reason}").format(reason=account.reason)
            case _:
                text = self.tr("Made for you the first time the index runs")
        self.account_label.setText(text)
        self._show_retry()

    def _show_retry(self) -> None:
        failed = self._controller.account.state is AccountState.FAILED
        self.retry_account_button.setVisible(failed)
        running = self._controller.status.state is IndexState.RUNNING
        self.retry_account_button.setEnabled(failed and running)

    def _remember_token(self, _username: str, token: str) -> None:
        self.snippets.set_token(token)

    async def show_context(self, context: IndexContext | None) -> None:
        """The frame's sign-in: its token for the local index fills "copy with token"."""
        if context is not None and context.profile.kind is ProfileKind.LOCAL and context.token:
            self.snippets.set_token(context.token)

    async def refresh(self) -> None:
        """Nothing to load: the controller pushes every change."""

    # Actions

    async def _busy(self, work: Awaitable[object]) -> None:
        # Counted: a Stop clicked while Start still runs keeps the spinner on.
        self._busy_count += 1
        if self._busy_count == 1:
            self.busy_changed.emit(True)
        try:
            await work
        finally:
            self._busy_count -= 1
            if self._busy_count == 0:
                self.busy_changed.emit(False)

    @async_slot()
    async def _start(self) -> None:
        await self._busy(self._controller.start())

    @async_slot()
    async def _stop(self) -> None:
        await self._busy(self._controller.stop())

    @async_slot()
    async def _restart(self) -> None:
        await self._busy(self._controller.restart())

    @async_slot()
    async def _retry_account(self) -> None:
        await self._busy(self._controller.setup_account())

    @async_slot()
    async def _reset(self) -> None:
        if await self._ask_reset(self, self._controller.data_dir):
            await self._busy(self._controller.reset())
            self.status_message.emit(self.tr("The local index was reset."))

    @async_slot()
    async def _write_pypirc(self) -> None:
        url = self._controller.status.url
        if url is None:  # the button is disabled then; a click may race a stop
            return
        path = self._pypirc_path or pypirc.default_path()
        token = self.snippets.token
        values = pypirc_values(local_profile(url), token)
        try:
            change = pypirc.plan(path, LOCAL_INDEX_NAME, values)
        except pypirc.PypircError as exc:
            self._notify(str(exc), error=True)
            return
        if not change.changed:
            self._notify(self.tr("{path} already has this section.").format(path=path))
            return
        if not await self._ask_write(self, change, token is not None):
            return
        try:
            change.write()
        except OSError as exc:
            self._notify(
                self.tr("Could not write {path}: {reason}").format(path=path, reason=exc.strerror),
                error=True,
            )
            return
        self._notify(
            self.tr(
                "Wrote the [{section}] section to {path}. Upload with: twine upload -r {section} "
                "dist/*"
            ).format(section=LOCAL_INDEX_NAME, path=path)
        )

    def _notify(self, text: str, *, error: bool = False) -> None:
        colour = STATE_COLOURS[IndexState.FAILED] if error else "palette(window-text)"
        self.notice_label.setStyleSheet(f"color: {colour}")
        self.notice_label.setText(text)
        self.notice_label.show()
        self.status_message.emit(text)

    def _copy_url(self) -> None:
        QGuiApplication.clipboard().setText(self._controller.status.url or "")
        self.status_message.emit(self.tr("Copied the address."))

    def _set_port(self, port: int) -> None:
        self._controller.port = port

    def _open_folder(self) -> None:
        self._open_url(QUrl.fromLocalFile(str(self._controller.data_dir)))
