"""Start-up and orderly shutdown of the desktop app on one qasync event loop."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from pypidesk import __version__
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.gc_on_gui_thread import GuiThreadGarbageCollector
from pypidesk.gui.local_index import LocalIndexController, stop_quietly
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.resources import app_icon
from pypidesk.gui.signals import next_emission
from pypidesk.paths import APP_NAME, default_log_dir

log = logging.getLogger(__name__)

HTTP_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def configure_logging(log_dir: Path) -> None:
    """Log to a file in the platform's log dir and to stderr (for terminals and tests)."""
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


async def run_app(settings: AppSettings, *, http_timeout: httpx.Timeout = HTTP_TIMEOUT) -> int:
    """Show the window, start the local index, and tear both down once the window closes."""
    collector = GuiThreadGarbageCollector()
    collector.start()
    try:
        return await _run_window(settings, http_timeout)
    finally:
        collector.stop()


async def _run_window(settings: AppSettings, http_timeout: httpx.Timeout) -> int:
    async with httpx.AsyncClient(timeout=http_timeout) as http:
        controller = LocalIndexController(settings.local_index_data_dir, http)
        window = MainWindow(controller, settings)
        closed = next_emission(window.closing)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Ctrl+C in a terminal or a service manager's stop closes the window,
            # which runs the same shutdown as the close button.
            loop.add_signal_handler(signum, window.close)
        window.show()
        starting = asyncio.ensure_future(controller.start())
        try:
            await closed
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            await stop_quietly(controller)
    return 0


def run(argv: Sequence[str]) -> int:
    """Entry point for ``pypidesk`` with no command."""
    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_NAME)
    # main() decides when to quit, after the local index has stopped.
    app.setQuitOnLastWindowClosed(False)
    configure_logging(default_log_dir())
    settings = AppSettings(QSettings())
    return int(qasync.run(run_app(settings)))
