"""Start-up and orderly shutdown of the desktop app on one qasync event loop.

Start-up is tuned for the first paint: the window is shown before anything
slow happens (the keyring's backend discovery, the first network request, the
local index's start), which all run on the loop afterwards.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx
import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from pypidesk import __version__
from pypidesk.client.credentials import CredentialStore, TokenStore
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.gc_on_gui_thread import GuiThreadGarbageCollector
from pypidesk.gui.local_index import LocalIndexController, stop_quietly
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.resources import app_icon
from pypidesk.gui.session import Session
from pypidesk.gui.signals import next_emission
from pypidesk.gui.style import apply_style
from pypidesk.paths import APP_NAME, default_log_dir

log = logging.getLogger(__name__)

HTTP_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
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


async def run_app(
    settings: AppSettings,
    *,
    log_dir: Path | None = None,
    store: TokenStore | None = None,
    http_timeout: httpx.Timeout = HTTP_TIMEOUT,
) -> int:
    """Show the window, start the local index, and tear both down once the window closes."""
    collector = GuiThreadGarbageCollector()
    collector.start()
    try:
        return await _run_window(
            settings, log_dir or default_log_dir(), store or CredentialStore(), http_timeout
        )
    finally:
        collector.stop()


async def _run_window(
    settings: AppSettings, log_dir: Path, store: TokenStore, http_timeout: httpx.Timeout
) -> int:
    async with httpx.AsyncClient(timeout=http_timeout) as http:
        controller = LocalIndexController(settings.local_index_data_dir, http)
        session = Session(settings, http, store)
        window = MainWindow(controller, settings, session, log_dir)
        closed = next_emission(window.closing)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Ctrl+C in a terminal or a service manager's stop closes the window,
            # which runs the same shutdown as the close button.
            loop.add_signal_handler(signum, window.close)
        window.show()
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
    return int(qasync.run(run_app(where.settings, log_dir=where.log_dir)))
