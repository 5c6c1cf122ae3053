"""The Local index page, clicked as a user clicks it, against a real local index."""

from __future__ import annotations

import asyncio
import configparser
import socket
import stat
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pypidesk.client.local_index import find_free_port
from pypidesk.client.local_setup import LocalSetup, ProcessResult, run_process
from pypidesk.client.profiles import TESTPYPI, local_profile
from pypidesk.client.pypirc import PypircChange
from pypidesk.gui.local_index import AccountState, IndexState, LocalIndexController
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.pages.local_index import LocalIndexPage
from pypidesk.gui.pages.local_index_dialogs import (
    ConfirmResetDialog,
    WritePypircDialog,
    ask_reset,
    ask_write_pypirc,
)
from pypidesk.gui.signals import next_emission
from tests.e2e.upload_helpers import clean_env, write_dists
from tests.index.upload.dists import make_wheel


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@pytest.fixture
async def controller(
    tmp_path: Path, http: httpx.AsyncClient
) -> AsyncIterator[LocalIndexController]:
    data_dir = tmp_path / "index"
    controller = LocalIndexController(data_dir, http, setup=LocalSetup(data_dir, username="alice"))
    yield controller
    await controller.stop()


class Answers:
    """Stands in for the page's two questions and records what they were shown."""

    def __init__(self, write: bool = True, reset: bool = True) -> None:
        self.write = write
        self.reset = reset
        self.changes: list[tuple[PypircChange, bool]] = []
        self.resets: list[Path] = []
        self.asked: asyncio.Queue[str] = asyncio.Queue()

    async def ask_write(self, parent: QWidget, change: PypircChange, has_token: bool) -> bool:
        self.changes.append((change, has_token))
        self.asked.put_nowait("write")
        return self.write

    async def ask_reset(self, parent: QWidget, data_dir: Path) -> bool:
        self.resets.append(data_dir)
        self.asked.put_nowait("reset")
        return self.reset


def make_page(
    qtbot: QtBot,
    controller: LocalIndexController,
    tmp_path: Path,
    answers: Answers | None = None,
    opened: list[QUrl] | None = None,
) -> LocalIndexPage:
    answers = answers or Answers()
    page = LocalIndexPage(
        controller,
        pypirc_path=tmp_path / "home" / ".pypirc",
        open_url=(opened if opened is not None else []).append,
        ask_write=answers.ask_write,
        ask_reset=answers.ask_reset,
    )
    qtbot.addWidget(page)
    return page


async def until(signal: object, condition: Callable[[], bool], timeout: float = 60) -> None:
    """Wait for ``condition``, re-checking at each emission of ``signal``."""
    async with asyncio.timeout(timeout):
        while not condition():
            await next_emission(signal)  # type: ignore[arg-type]


async def running_with_account(controller: LocalIndexController) -> None:
    await until(
        controller.account_changed,
        lambda: controller.account.state in (AccountState.READY, AccountState.FAILED),
    )


def interactive_widgets(root: QWidget) -> list[QWidget]:
    found = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget.parent(), QAbstractSpinBox):
            continue  # the spin box's own line edit; the spin box carries the names
        selectable = isinstance(widget, QLabel) and bool(widget.textInteractionFlags().value & 1)
        if selectable or isinstance(
            widget, QAbstractButton | QLineEdit | QAbstractSpinBox | QPlainTextEdit | QScrollArea
        ):
            found.append(widget)
    return found


def test_every_interactive_widget_is_named(
    qtbot: QtBot, controller: LocalIndexController, tmp_path: Path
) -> None:
    page = make_page(qtbot, controller, tmp_path)
    change = PypircChange(tmp_path / ".pypirc", "", "[a]\npassword = x\n")
    dialogs = [WritePypircDialog(change, False, page), ConfirmResetDialog(tmp_path, page)]
    widgets = interactive_widgets(page)
    for dialog in dialogs:
        widgets += interactive_widgets(dialog)
    assert len(widgets) > 20
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r} {w.accessibleName()!r}"
        for w in widgets
        if not w.objectName() or not w.accessibleName()
    ]
    assert unnamed == []
    names = [w.objectName() for w in interactive_widgets(page)]
    assert len(names) == len(set(names))


async def test_start_makes_the_account_and_fills_the_lines_stop_clears_them(
    qtbot: QtBot, controller: LocalIndexController, tmp_path: Path
) -> None:
    page = make_page(qtbot, controller, tmp_path)
    page.port_spin.setValue(find_free_port())
    tokens: list[str] = []
    controller.account_ready.connect(lambda _user, token: tokens.append(token))
    busy: list[bool] = []
    page.busy_changed.connect(busy.append)
    assert page.state_label.text() == "Stopped"
    assert page.url_label.text() == "—"
    assert page.account_label.text() == "Made for you the first time the index runs"
    assert not page.snippets.copy_buttons["pip"].isEnabled()
    assert not page.reason_label.isVisibleTo(page)

    page.start_button.click()
    await until(controller.status_changed, lambda: controller.status.state is IndexState.STARTING)
    assert page.state_label.text() == "Starting…"
    assert page.url_label.text() == "— (starting…)"
    assert not page.port_spin.isEnabled()
    await running_with_account(controller)

    url = controller.status.url
    assert url is not None
    profile = local_profile(url)
    assert page.state_label.text() == "Running"
    assert page.url_label.text() == url
    assert page.index_url_label.text() == f"{url}/simple/"
    assert page.upload_url_label.text() == f"{url}/legacy/"
    assert page.account_label.text() == (
        "alice — this app uploads and manages with its own API token"
    )
    assert not page.retry_account_button.isVisibleTo(page)
    assert page.snippets.line_labels["pip"].text() == (
        f"pip install --index-url {profile.index_url} YOUR-PROJECT"
    )
    assert f'publish-url = "{profile.upload_url}"' in page.snippets.line_labels["uv"].text()
    (token,) = tokens
    shown = "\n".join(label.text() for label in page.findChildren(QLabel))
    assert token not in shown
    assert token not in page.log_view.toPlainText()
    assert "Created your account 'alice'" in page.log_view.toPlainText()

    messages: list[str] = []
    page.status_message.connect(messages.append)
    page.snippets.copy_buttons["pip"].click()
    assert QGuiApplication.clipboard().text() == page.snippets.line_labels["pip"].text()
    page.snippets.copy_buttons["twine"].click()
    assert QGuiApplication.clipboard().text() == (
        f"twine upload --repository-url {profile.upload_url} dist/*"
    )
    assert page.snippets.include_token_check.isEnabled()
    page.snippets.include_token_check.setChecked(True)
    page.snippets.copy_buttons["twine"].click()
    assert token in QGuiApplication.clipboard().text()
    page.snippets.copy_buttons["pypirc"].click()
    assert f"password = {token}" in QGuiApplication.clipboard().text()
    page.snippets.copy_buttons["uv"].click()
    assert token not in QGuiApplication.clipboard().text()
    page.copy_button.click()
    assert QGuiApplication.clipboard().text() == url
    assert messages == [
        "Copied the pip install line.",
        "Copied the twine upload line.",
        "Copied the twine upload line.",
        "Copied the ~/.pypirc section.",
        "Copied the uv index table.",
        "Copied the address.",
    ]

    await until(page.busy_changed, lambda: busy == [True, False])
    states: list[IndexState] = []
    controller.status_changed.connect(lambda status: states.append(status.state))
    page.restart_button.click()
    await until(page.busy_changed, lambda: len(busy) == 4)
    assert states == [IndexState.STOPPED, IndexState.STARTING, IndexState.RUNNING]
    assert controller.status.url == url  # the same port on a restart
    assert len(tokens) == 1

    page.stop_button.click()
    await until(controller.status_changed, lambda: controller.status.state is IndexState.STOPPED)
    assert page.state_label.text() == "Stopped"
    assert page.url_label.text() == "—"
    assert not page.snippets.copy_buttons["twine"].isEnabled()
    assert not page.snippets.include_token_check.isEnabled()
    assert page.snippets.text_to_copy("twine") == ""
    assert page.start_button.isEnabled()
    await until(page.busy_changed, lambda: len(busy) == 6)
    assert busy == [True, False] * 3


async def test_a_taken_port_is_refused_on_the_page_with_what_to_do(
    qtbot: QtBot, controller: LocalIndexController, tmp_path: Path
) -> None:
    page = make_page(qtbot, controller, tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        page.port_spin.setValue(port)
        assert controller.port == port

        page.start_button.click()
        await until(
            controller.status_changed, lambda: controller.status.state is IndexState.FAILED
        )

    assert page.state_label.text() == "Failed"
    assert page.reason_label.isVisibleTo(page)
    assert page.reason_label.text() == (
        f"Port {port} is in use by another program. Choose another port on the "
        "Local index page (or 0 for any free port), or stop that program."
    )
    assert page.start_button.isEnabled()
    assert page.port_spin.isEnabled()
    # The spin box follows the controller's setting, whoever changes it.
    controller.port = 0
    assert page.port_spin.value() == 0
    assert page.port_spin.text() == "any free port"


async def test_write_pypirc_shows_the_change_then_writes_it(
    qtbot: QtBot, controller: LocalIndexController, tmp_path: Path
) -> None:
    answers = Answers(write=False)
    page = make_page(qtbot, controller, tmp_path, answers)
    assert not page.snippets.write_pypirc_button.isEnabled()
    page.start_button.click()
    await running_with_account(controller)
    token = page.snippets.token
    assert token is not None
    pypirc = tmp_path / "home" / ".pypirc"

    page.snippets.write_pypirc_button.click()
    assert await asyncio.wait_for(answers.asked.get(), 10) == "write"
    change, has_token = answers.changes[0]
    assert has_token
    assert change.path == pypirc
    assert "+password = ********" in change.diff()
    assert not pypirc.exists()  # the user said no

    answers.write = True
    page.snippets.write_pypirc_button.click()
    await until(page.status_message, pypirc.exists)
    assert stat.S_IMODE(pypirc.stat().st_mode) == 0o600
    parser = configparser.RawConfigParser()
    parser.read(pypirc)
    assert parser.get("pypidesk-local", "password") == token
    assert page.notice_label.text() == (
        f"Wrote the [pypidesk-local] section to {pypirc}. "
        "Upload with: twine upload -r pypidesk-local dist/*"
    )

    page.snippets.write_pypirc_button.click()
    await next_emission(page.status_message)
    assert page.notice_label.text() == f"{pypirc} already has this section."
    assert len(answers.changes) == 2

    # What a new user does next: twine, with nothing but the written ~/.pypirc.
    (wheel,) = write_dists(tmp_path / "dist", make_wheel("page-demo", "0.1"))
    twine = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "twine",
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "--config-file",
        str(pypirc),
        "-r",
        "pypidesk-local",
        str(wheel),
        env=clean_env(tmp_path / "home"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await twine.communicate()
    assert twine.returncode == 0, output.decode()
    assert token not in output.decode()
    url = controller.status.url
    assert url is not None
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{url}/pypi/page-demo/json")
    assert response.json()["info"]["version"] == "0.1"


async def test_a_pypirc_that_cannot_be_read_or_written_is_reported(
    qtbot: QtBot, controller: LocalIndexController, tmp_path: Path
) -> None:
    answers = Answers()
    page = make_page(qtbot, controller, tmp_path, answers)
    page.start_button.click()
    await running_with_account(controller)
    pypirc = tmp_path / "home" / ".pypirc"
    pypirc.parent.mkdir()
    pypirc.write_text("no section header\n")

    page.snippets.write_pypirc_button.click()
    (message,) = await next_emission(page.status_message)
    assert message.startswith("The existing ~/.pypirc is not a valid INI file")
    assert answers.changes == []

    # A directory where the temporary file would go: writing fails after the question.
    pypirc.unlink()
    (tmp_path / "home" / ".pypirc.pypidesk-tmp").mkdir()
    page.snippets.write_pypirc_button.click()
    (message,) = await next_emission(page.status_message)
    assert message == f"Could not write {pypirc}: Is a directory"
    assert len(answers.changes) == 1


async def test_writing_pypirc_while_stopped_does_nothing(
    qtbot: QtBot, controller: LocalIndexController, tmp_path: Path
) -> None:
    answers = Answers()
    page = make_page(qtbot, controller, tmp_path, answers)
    page._write_pypirc()  # as if a click raced a stop
    await asyncio.sleep(0)
    assert answers.changes == []


async def test_reset_asks_first_then_starts_afresh(
    qtbot: QtBot, controller: LocalIndexController, tmp_path: Path
) -> None:
    answers = Answers(reset=False)
    page = make_page(qtbot, controller, tmp_path, answers)
    page.start_button.click()
    await running_with_account(controller)
    tokens: list[str] = []
    controller.account_ready.connect(lambda _user, token: tokens.append(token))

    page.reset_button.click()
    assert await asyncio.wait_for(answers.asked.get(), 10) == "reset"
    assert answers.resets == [controller.data_dir]
    assert controller.status.state is IndexState.RUNNING
    assert tokens == []

    answers.reset = True
    messages: list[str] = []
    page.status_message.connect(messages.append)
    page.reset_button.click()
    await until(page.status_message, lambda: "The local index was reset." in messages)
    assert len(tokens) == 1
    assert controller.status.state is IndexState.RUNNING
    assert page.snippets.token == tokens[0]


async def test_open_folder_opens_the_data_dir(
    qtbot: QtBot, controller: LocalIndexController, tmp_path: Path
) -> None:
    opened: list[QUrl] = []
    page = make_page(qtbot, controller, tmp_path, opened=opened)
    page.open_folder_button.click()
    assert opened == [QUrl.fromLocalFile(str(controller.data_dir))]


async def test_the_frames_token_for_the_local_index_is_used(
    qtbot: QtBot, controller: LocalIndexController, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    page = make_page(qtbot, controller, tmp_path)
    await page.show_context(IndexContext(TESTPYPI, http, "alice", "pypi-testpypi"))
    assert page.snippets.token is None
    await page.show_context(None)
    local = local_profile("http://127.0.0.1:8765")
    await page.show_context(IndexContext(local, http, "alice", "pypi-local"))
    assert page.snippets.token == "pypi-local"
    await page.refresh()


class FirstFails:
    """`pypidesk admin` that refuses once (a full disk, say), then works."""

    def __init__(self) -> None:
        self.failed = False

    async def __call__(self, argv: Sequence[str], stdin: bytes | None = None) -> ProcessResult:
        if not self.failed:
            self.failed = True
            return ProcessResult(1, "", "pypidesk admin create-user: error: disk full\n")
        return await run_process(argv, stdin)


async def test_a_failed_account_can_be_retried(
    qtbot: QtBot, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    data_dir = tmp_path / "index"
    setup = LocalSetup(data_dir, runner=FirstFails(), username="alice")
    controller = LocalIndexController(data_dir, http, setup=setup)
    page = make_page(qtbot, controller, tmp_path)
    try:
        page.start_button.click()
        await running_with_account(controller)
        assert controller.account.state is AccountState.FAILED
        assert page.account_label.text().startswith("Not set up: Could not create the account")
        assert page.retry_account_button.isVisibleTo(page)
        assert page.retry_account_button.isEnabled()

        page.retry_account_button.click()
        await until(
            controller.account_changed, lambda: controller.account.state is AccountState.READY
        )
        assert not page.retry_account_button.isVisibleTo(page)
        assert page.snippets.token is not None
    finally:
        await controller.stop()


def find_dialog(kind: type[QWidget]) -> QWidget:
    widgets = QApplication.topLevelWidgets()
    (dialog,) = [w for w in widgets if isinstance(w, kind) and w.isVisible()]
    return dialog


async def test_the_reset_dialog_needs_the_word(qtbot: QtBot, tmp_path: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    asking = asyncio.ensure_future(ask_reset(parent, tmp_path))
    await asyncio.sleep(0)
    dialog = find_dialog(ConfirmResetDialog)
    assert isinstance(dialog, ConfirmResetDialog)
    assert str(tmp_path) in dialog.message_label.text()
    assert not dialog.reset_button.isEnabled()
    dialog.confirm_edit.setText("Reset")
    assert not dialog.reset_button.isEnabled()
    dialog.confirm_edit.setText("reset")
    assert dialog.reset_button.isEnabled()
    dialog.reset_button.click()
    assert await asking is True

    asking = asyncio.ensure_future(ask_reset(parent, tmp_path))
    await asyncio.sleep(0)
    find_dialog(ConfirmResetDialog).reject()
    assert await asking is False


async def test_the_pypirc_dialog_shows_the_masked_diff(qtbot: QtBot, tmp_path: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    old = "[pypi]\npassword = pypi-old\n"
    change = PypircChange(tmp_path / ".pypirc", old, old + "\n[x]\npassword = pypi-new\n")
    asking = asyncio.ensure_future(ask_write_pypirc(parent, change, True))
    await asyncio.sleep(0)
    dialog = find_dialog(WritePypircDialog)
    assert isinstance(dialog, WritePypircDialog)
    diff = dialog.diff_view.toPlainText()
    assert "+[x]" in diff
    assert "pypi-new" not in diff
    assert "pypi-old" not in diff
    assert "will change" in dialog.intro_label.text()
    assert "twine will ask" not in dialog.intro_label.text()
    dialog.write_button.click()
    assert await asking is True

    fresh = PypircChange(tmp_path / ".pypirc", "", "[x]\n")
    asking = asyncio.ensure_future(ask_write_pypirc(parent, fresh, False))
    await asyncio.sleep(0)
    dialog = find_dialog(WritePypircDialog)
    assert isinstance(dialog, WritePypircDialog)
    assert "will create" in dialog.intro_label.text()
    assert "twine will ask for it" in dialog.intro_label.text()
    dialog.reject()
    assert await asking is False
