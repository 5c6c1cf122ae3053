"""The whole app: start-up, the local index starting with it, and shutdown by signal."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from PySide6.QtWidgets import QApplication

from pypidesk.gui.app import configure_logging, places, run_app
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.main_window import MainWindow
from pypidesk.gui.style import apply_style, is_dark
from pypidesk.paths import default_data_dir, default_log_dir


def find_main_window() -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            return widget
    return None


async def test_run_app_starts_the_local_index_and_stops_it_on_sigterm(
    app_settings: AppSettings,
) -> None:
    app = asyncio.ensure_future(run_app(app_settings))
    url = None
    for _ in range(600):
        await asyncio.sleep(0.05)
        window = find_main_window()
        if window and window.index_status.text().startswith("Local index running at "):
            url = window.index_status.text().removeprefix("Local index running at ")
            break
    assert url is not None, "the local index never reported running"
    async with httpx.AsyncClient() as http:
        assert (await http.get(url + "/_health")).status_code == 200

    os.kill(os.getpid(), signal.SIGTERM)  # handled by the app: closes the window
    assert await asyncio.wait_for(app, 30) == 0

    assert find_main_window() is None
    async with httpx.AsyncClient() as http:
        try:
            await http.get(url + "/_health")
        except httpx.ConnectError:
            pass
        else:
            raise AssertionError("the local index outlived the app")


def test_configure_logging_writes_to_the_log_dir(tmp_path: Path) -> None:
    import logging

    root = logging.getLogger()
    before = list(root.handlers)
    try:
        configure_logging(tmp_path / "log")
        logging.getLogger("pypidesk.test").info("hello from the test")
        for handler in root.handlers:
            handler.flush()
    finally:
        for handler in root.handlers[len(before) :]:
            handler.close()
        root.handlers[:] = before
    assert "hello from the test" in (tmp_path / "log" / "pypidesk.log").read_text()


def test_pypidesk_without_arguments_opens_the_app(tmp_path: Path) -> None:
    """The console entry point, as a user runs it: window up, index running, clean exit."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path / "d")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "c")
    env["XDG_STATE_HOME"] = str(tmp_path / "s")
    process = subprocess.Popen(
        [sys.executable, "-m", "pypidesk"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + 60
    try:
        for line in process.stderr:
            seen.append(line)
            if "Local index running at" in line or time.monotonic() > deadline:
                break
        assert any("Local index running at http://127.0.0.1:" in line for line in seen), seen
        process.send_signal(signal.SIGTERM)
        remaining = process.stderr.read()
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:  # pragma: no cover - only when the assertions above fail
            process.kill()
            process.wait()
        process.stderr.close()
    assert "Local index stopped" in remaining
    assert (tmp_path / "d" / "pypidesk" / "pypidesk.sqlite3").is_file()
    assert (tmp_path / "s" / "pypidesk" / "log" / "pypidesk.log").is_file()
    assert (tmp_path / "c" / "pypidesk" / "pypidesk.conf").is_file()


def test_config_dir_keeps_settings_local_index_and_log_together(tmp_path: Path) -> None:
    config = tmp_path / "setup-a"
    where = places(config)
    assert where.settings.file_name == str(config / "pypidesk.ini")
    assert where.settings.local_index_data_dir == config / "local-index"
    assert where.log_dir == config / "log"
    where.settings.selected_profile = "PyPI"
    where.settings.sync()
    assert "PyPI" in (config / "pypidesk.ini").read_text()


def test_without_config_dir_the_platform_places_are_used(tmp_path: Path) -> None:
    where = places(None)
    assert where.log_dir == default_log_dir()
    assert where.settings.local_index_data_dir == default_data_dir()


def test_the_style_is_fusion_where_the_platform_offers_none(qapp: QApplication) -> None:
    app = qapp
    before = app.style().name()
    try:
        app.setStyle("Windows")
        assert apply_style(app) == "fusion"
        assert app.style().name().lower() == "fusion"
        assert apply_style(app) == "fusion"  # a real style is kept as it is
        assert is_dark(app) in (True, False)
    finally:
        app.setStyle(before)
