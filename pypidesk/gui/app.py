"""Start-up and orderly shutdown of the desktop app on one qasync event loop.

Start-up is tuned for the first paint: the window's frame is built and drawn
from Qt and pypidesk's light modules only; then the network stack (httpx,
qasync, asyncio) loads, the pages are added, and everything slow (the keyring,
the first request, the local index's start) runs on the loop afterwards.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from pypidesk import __version__
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.resources import app_icon
from pypidesk.gui.style import apply_style
from pypidesk.paths import APP_NAME, default_log_dir

if TYPE_CHECKING:
    import httpx

    from pypidesk.client.credentials import TokenStore

log = logging.getLogger(__name__)

# Seconds: (whole request, connecting).
HTTP_TIMEOUT = (30.0, 5.0)
# Longest wait for the window's first paint before loading the rest anyway
# (a window that starts minimized is never painted).
FIRST_PAINT_WAIT_MS = 300
SETTINGS_FILE = "pypidesk.ini"
LOCAL_INDEX_DIR = "local-index"
LOG_DIR = "log"


@dataclasses.dataclass(frozen=True, slots=True)
class Places:
    """Where one setup of the app keeps its settings, its local index and its log."""

    settings: AppSettings
    log_dir: Path


def places(config_dir: Path | None) -> Places:
    """``--config-dir DIR``: everything under DIR; otherwise the platform's places.

    Under DIR: ``pypidesk.ini`` (settings), ``local-index/`` (the local index's
    data) and ``log/`` (the app's log). Without it: QSettings' native place,
    the platform's data dir and its log dir (``~/.local/state/pypidesk/log``).
    """
    if config_dir is None:
        return Places(AppSettings(QSettings()), default_log_dir())
    config_dir = config_dir.expanduser().resolve()
    config_dir.mkdir(parents=True, exist_ok=True)
    qsettings = QSettings(str(config_dir / SETTINGS_FILE), QSettings.Format.IniFormat)
    settings = AppSettings(qsettings)
    settings.local_index_data_dir = config_dir / LOCAL_INDEX_DIR
    return Places(settings, config_dir / LOG_DIR)


def configure_logging(log_dir: Path) -> None:
    """Log to a file in the log dir and to stderr (for terminals and tests)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    for handler in (
        logging.FileHandler(log_dir / "pypidesk.log", encoding="utf-8"),
        logging.StreamHandler(sys.stderr),
    ):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    # httpx logs every request at INFO; the health polls would drown the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)


class _FirstPaint(QObject):
    """Ends ``loop`` once the watched window has received its first Paint event."""

    def __init__(self, window: MainWindow, loop: QEventLoop) -> None:
        super().__init__(window)
        self._loop = loop

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self._loop.quit()
        return False


def show_and_paint(window: MainWindow) -> None:
    """Show ``window`` and let Qt paint it before anything else loads.

    A plain QEventLoop, before the asyncio loop exists: no coroutine can be
    running yet, so the nested-loop trouble QT-NOTES warns of cannot happen.
    """
    loop = QEventLoop()
    watcher = _FirstPaint(window, loop)
    window.installEventFilter(watcher)
    QTimer.singleShot(FIRST_PAINT_WAIT_MS, loop.quit)
    window.show()
    loop.exec()
    window.removeEventFilter(watcher)
    watcher.deleteLater()


async def run_app(
    settings: AppSettings,
    *,
    log_dir: Path | None = None,
    store: TokenStore | None = None,
    window: MainWindow | None = None,
    http_timeout: httpx.Timeout | None = None,
) -> int:
    """Show the window, start the local index, and tear both down once the window closes."""
    import httpx  # noqa: PLC0415 - after the first paint, see the module docstring

    from pypidesk.client.credentials import CredentialStore  # noqa: PLC0415
    from pypidesk.gui.gc_on_gui_thread import GuiThreadGarbageCollector  # noqa: PLC0415

    log_dir = log_dir or default_log_dir()
    if window is None:
        window = MainWindow(settings, log_dir)
    timeout = http_timeout or httpx.Timeout(HTTP_TIMEOUT[0], connect=HTTP_TIMEOUT[1])
    collector = GuiThreadGarbageCollector()
    collector.start()
    try:
        async with httpx.AsyncClient(timeout=timeout) as http:
            return await _run_window(settings, window, http, store or CredentialStore())
    finally:
        collector.stop()


async def _run_window(
    settings: AppSettings, window: MainWindow, http: httpx.AsyncClient, store: TokenStore
) -> int:
    import asyncio  # noqa: PLC0415 - loaded with qasync, after the first paint
    import signal  # noqa: PLC0415

    from pypidesk.gui.local_index import LocalIndexController, stop_quietly  # noqa: PLC0415
    from pypidesk.gui.session import Session  # noqa: PLC0415
    from pypidesk.gui.signals import next_emission  # noqa: PLC0415
    from pypidesk.gui.warm_up import warm_up  # noqa: PLC0415

    session = Session(settings, http, store)
    controller = LocalIndexController(
        settings.local_index_data_dir,
        http,
        port=settings.local_index_port,
        token_lost=lambda username: not session.has_local_token(username),
    )
    controller.port_changed.connect(lambda port: setattr(settings, "local_index_port", port))
    window.attach(controller, session)
    closed = next_emission(window.closing)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Ctrl+C in a terminal or a service manager's stop closes the window,
        # which runs the same shutdown as the close button.
        loop.add_signal_handler(signum, window.close)
    window.show()
    # One-time costs of the process, before a keystroke or the first load pays them.
    warm_up()
    # After the first paint: the keyring and the network may take their time.
    selecting = asyncio.ensure_future(session.select(session.state.profile.name))
    starting = asyncio.ensure_future(controller.start())
    try:
        await closed
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        for task in (selecting, starting):
            task.cancel()
        await asyncio.gather(selecting, starting, return_exceptions=True)
        await window.release_pages()
        await stop_quietly(controller)
    return 0


def run(argv: Sequence[str], config_dir: Path | None = None) -> int:
    """Entry point for ``pypidesk`` with no command."""
    app = QApplication.instance() or QApplication(list(argv))
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_NAME)
    # main() decides when to quit, after the local index has stopped.
    app.setQuitOnLastWindowClosed(False)
    style = apply_style(app)
    where = places(config_dir)
    configure_logging(where.log_dir)
    log.info("pypidesk %s, style %s, settings in %s", __version__, style, where.settings.file_name)
    window = MainWindow(where.settings, where.log_dir)
    show_and_paint(window)
    import qasync  # noqa: PLC0415 - after the first paint

    return int(qasync.run(run_app(where.settings, log_dir=where.log_dir, window=window)))
