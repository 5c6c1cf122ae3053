"""The Publish page: Source, Build, Check, Publish, then Try it or Promote, one primary button.

Each step is a coroutine of :mod:`pypidesk.publish` that this page awaits and
shows; the primary button's label follows the step (GitHub Desktop's habit),
and Cancel stops whatever runs (a build, an upload, an install). Tests await
the coroutines (:meth:`PublishPage.build` ...) directly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QWidget,
)

from pypidesk.client.errors import ClientError
from pypidesk.client.profiles import Profile
from pypidesk.client.staging import StagingClient
from pypidesk.gui import timefmt
from pypidesk.gui.app_settings import AppSettings
from pypidesk.gui.async_slot import async_slot
from pypidesk.gui.dialogs import promote_dialog, running
from pypidesk.gui.formatting import human_size
from pypidesk.gui.pages.base import IndexContext
from pypidesk.gui.pages.publish_layout import PublishLayout
from pypidesk.gui.pages.publish_widgets import (
    DropFilter,
    FileRow,
    Step,
)
from pypidesk.publish import build as build_step
from pypidesk.publish import tryit
from pypidesk.publish.checks import OnTarget, check_files
from pypidesk.publish.distfile import DistInfo
from pypidesk.publish.errors import BuildFailedError, PublishError, UploadRefusedError
from pypidesk.publish.source import dist_files, project_folder
from pypidesk.publish.staged import StagedPublisher, offers_sessions, staging_root
from pypidesk.publish.upload import LegacyPublisher, Progress, Publisher

Credentials = Callable[[Profile], Awaitable[tuple[str | None, str | None]]]
PublisherFactory = Callable[[IndexContext, bool], Publisher]
#: How often progress repaints the table and the bar during an upload.
PROGRESS_INTERVAL = 0.1


def legacy_publisher(context: IndexContext, skip_existing: bool) -> Publisher:
    """File by file to the profile's ``/legacy/``, as twine uploads."""
    return LegacyPublisher(
        context.http,
        context.profile.upload_url,
        username=context.username,
        token=context.token,
        skip_existing=skip_existing,
    )


def staged_publisher(context: IndexContext, token: str) -> StagedPublisher:
    """Into a publishing session on the profile's index (PEP 694), public at once on Publish."""
    return StagedPublisher(StagingClient(context.http, staging_root(context.profile), token))


async def ask_folder(parent: QWidget, start: Path | None) -> Path | None:
    """A folder chooser opened without a nested loop (QT-NOTES); tests replace it."""
    dialog = QFileDialog(parent, parent.tr("Choose your project's folder"))
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    if start is not None:
        dialog.setDirectory(str(start))
    try:
        if not await running.run_dialog(dialog):
            return None
        return Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()


_FRAME = re.compile(r'^\s*(File ".*", line \d+|Traceback \(most recent call last\)|[~^]+$)')


def last_words(lines: Sequence[str]) -> list[str]:
    """A log's lines without stack frames (a frame's line and the source line under it)."""
    words: list[str] = []
    after_frame = False
    for line in lines:
        frame = bool(_FRAME.match(line))
        if line.strip() and not frame and not (after_frame and line.startswith(" ")):
            words.append(line)
        after_frame = frame
    return words


def describe(error: PublishError | ClientError) -> str:
    """The banner's text for a failed step: what happened, what to do, the evidence."""
    if isinstance(error, BuildFailedError):
        # The log's last words, not its stack frames: the whole log is below.
        return f"{error}\n\n" + "\n".join(last_words(error.log_tail)[-4:])
    if isinstance(error, UploadRefusedError):
        return f"{error}\n{error.hint}"
    return str(error)


class PublishPage(PublishLayout):
    """From a project folder (or dropped files) to a release on the index in the toolbar."""

    title = "Publish"

    def __init__(
        self,
        *,
        settings: AppSettings,
        profiles: Callable[[], list[Profile]],
        credentials: Credentials,
        make_publisher: PublisherFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._profiles = profiles
        self._credentials = credentials
        self._make_publisher = make_publisher or self._auto_publisher
        self._context: IndexContext | None = None
        #: Whether the toolbar's index offers publishing sessions (probed on each switch).
        self._sessions = False
        #: The publishing session the release is staged in (Step.STAGED), and whether
        #: Try it succeeded from its stage.
        self.stage: StagedPublisher | None = None
        self.stage_tried = False
        self.staged_files: list[DistInfo] = []
        self.step = Step.SOURCE
        self.folder: Path | None = None
        self.rows: list[FileRow] = []
        self.published: list[DistInfo] = []
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        self._last_paint = 0.0
        self.drop_filter = DropFilter(self)
        self.drop_filter.dropped.connect(self.use_dist_files)
        self._watching: QWidget | None = None
        self._wire()
        self._fill_recent()
        self._update()

    def _wire(self) -> None:
        """What each widget of the layout does."""
        self.folder_combo.activated.connect(self._recent_chosen)
        self.choose_button.clicked.connect(self._choose_clicked)
        self.deps_box.toggled.connect(self._update)
        self.primary_button.clicked.connect(self._primary_clicked)
        self.try_button.clicked.connect(lambda: self._start(self.try_it()))
        self.release_button.clicked.connect(lambda: self._start(self.release()))
        self.discard_button.clicked.connect(lambda: self._start(self.discard()))
        self.promote_button.clicked.connect(lambda: self._start(self.promote()))
        self.cancel_button.clicked.connect(self.cancel)
        self.reset_button.clicked.connect(self.start_over)
        self.primary_shortcut.activated.connect(self._primary_clicked)

    # -- state -----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        # Until the step's ending is shown (the buttons follow in the same turn).
        return self._task is not None

    def _auto_publisher(self, context: IndexContext, skip_existing: bool) -> Publisher:
        """A publishing session where the index offers them (and we hold a token), else legacy."""
        if self._sessions and context.token:
            return staged_publisher(context, context.token)
        return legacy_publisher(context, skip_existing)

    def _primary_text(self) -> str:
        target = self._context.profile.name if self._context else self.tr("the index")
        staging = self._context is not None and self._make_publisher(self._context, True)
        return {
            Step.SOURCE: self.tr("Choose a project folder…"),
            Step.BUILD: self.tr("Build"),
            Step.CHECK: self.tr("Check"),
            Step.PUBLISH: (
                self.tr("Stage on {0}")
                if isinstance(staging, StagedPublisher)
                else self.tr("Publish to {0}")
            ).format(target),
            Step.STAGED: (
                self.tr("Publish the release") if self.stage_tried else self.tr("Try it")
            ),
            Step.TRY: self.tr("Try it"),
            Step.PROMOTE: self.tr("Promote…"),
        }[self.step]

    def _update(self) -> None:
        busy = self.busy
        self.steps.show_step(self.step)
        text = self._primary_text()
        self.primary_button.setText(text)
        self.primary_button.setAccessibleName(text)
        needs_index = self.step in (Step.CHECK, Step.PUBLISH, Step.STAGED, Step.TRY)
        self.primary_button.setEnabled(not busy and (self._context is not None or not needs_index))
        self.cancel_button.setEnabled(busy)
        staged = self.step is Step.STAGED
        # A stage is published or discarded before another source is taken.
        self.choose_button.setEnabled(not busy and not staged)
        self.folder_combo.setEnabled(not busy and not staged)
        self.reset_button.setEnabled(not busy and self.step not in (Step.SOURCE, Step.STAGED))
        published = bool(self.published) or staged
        # In a stage, Try it and Publish take turns as the primary button; Discard stays.
        try_is_primary = self.step is Step.TRY or (staged and not self.stage_tried)
        self.try_button.setVisible(published and not try_is_primary)
        self.release_button.setVisible(staged and not self.stage_tried)
        self.release_button.setEnabled(not busy)
        self.discard_button.setVisible(staged)
        self.discard_button.setEnabled(not busy)
        self.try_button.setEnabled(not busy and self._context is not None)
        self.promote_button.setVisible(bool(self.published) and self.step is not Step.PROMOTE)
        self.promote_button.setEnabled(not busy)
        # Only what the current step needs is on screen (an idle, empty progress bar
        # read as a text field in the screenshots).
        self.skip_box.setVisible(self.step in (Step.CHECK, Step.PUBLISH))
        self.progress.setVisible(self.step >= Step.PUBLISH)
        self.progress_label.setVisible(self.step >= Step.PUBLISH)
        self.deps_box.setVisible(published)
        self.command_field.setVisible(published)
        self.deps_warning.setVisible(published and self.deps_box.isChecked())
        self._show_target()

    def _show_target(self) -> None:
        context = self._context
        if context is None:
            self.target_label.setText(
                self.tr(
                    "No index to publish to: start the local index or choose one in the toolbar."
                )
            )
            return
        publisher = self._make_publisher(context, True)
        # Where the bytes go: the session root for a stage, the legacy URL otherwise.
        address = (
            publisher.staging.root_url
            if isinstance(publisher, StagedPublisher)
            else context.profile.upload_url
        )
        how = (
            self.tr("the files are staged first; the whole release appears at once on Publish")
            if isinstance(publisher, StagedPublisher)
            else self.tr("the whole release appears at once")
            if publisher.all_at_once
            else self.tr("this index publishes file by file: each is public as soon as it is sent")
        )
        self.target_label.setText(
            self.tr("Publishing to {0} ({1}) — {2}.").format(context.profile.name, address, how)
        )

    def _set_step(self, step: Step) -> None:
        self.step = step
        self._update()

    def _count(self, text: str, count: int) -> str:
        """A translated count string with "(s)" resolved where no translation did it."""
        return timefmt.english_plural(text, count)

    def _say(self, text: str, *, error: bool = False) -> None:
        color = "#c62828" if error else "#2e7d32"
        self.banner.setStyleSheet(f"color: {color}; font-weight: bold")
        self.banner.setText(text)
        self.banner.show()
        self.status_message.emit(text.splitlines()[0])

    def _show_rows(self) -> None:
        self.model.set_rows(self.rows)
        self.table.resizeColumnsToContents()

    def _fill_recent(self) -> None:
        self.folder_combo.clear()
        for folder in self._settings.recent_publish_folders:
            self.folder_combo.addItem(str(folder))
        self.folder_combo.setCurrentIndex(-1 if self.folder is None else 0)

    # -- the frame's calls -----------------------------------------------------------------

    async def show_context(self, context: IndexContext | None) -> None:
        changed = (
            self._context is None or context is None or (context.profile != self._context.profile)
        )
        if changed and self.stage is not None and not self.busy:
            # The stage lives on the index we leave: discard it rather than leave it behind.
            await self.discard()
        self._context = context
        if changed:
            self._sessions = context is not None and await offers_sessions(
                context.http, staging_root(context.profile)
            )
        window = self.window()
        if window is not self and window is not self._watching:
            self.drop_filter.watch(window)
            self._watching = window
        if (
            changed
            and self.step in (Step.PUBLISH, Step.STAGED, Step.TRY, Step.PROMOTE)
            and not self.busy
        ):
            # Checked against another index: what is there may differ.
            self.published = []
            self.stage, self.stage_tried, self.staged_files = None, False, []
            self._set_step(Step.CHECK)
        self._update()

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- slots -----------------------------------------------------------------------------

    def _start(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _primary_clicked(self) -> None:
        if not self.primary_button.isEnabled():
            return
        action: dict[Step, Callable[[], Awaitable[None]]] = {
            Step.SOURCE: self.choose_folder,
            Step.BUILD: self.build,
            Step.CHECK: self.check,
            Step.PUBLISH: self.publish,
            Step.STAGED: self.release if self.stage_tried else self.try_it,
            Step.TRY: self.try_it,
            Step.PROMOTE: self.promote,
        }
        self._start(action[self.step]())

    @async_slot()
    async def _choose_clicked(self) -> None:
        await self.choose_folder()

    def _recent_chosen(self, row: int) -> None:
        self.use_folder(Path(self.folder_combo.itemText(row)))

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def start_over(self) -> None:
        self.rows, self.published, self.folder = [], [], None
        self.banner.hide()
        self.log.clear()
        self.progress.setValue(0)
        self.progress_label.clear()
        self._show_rows()
        self._fill_recent()
        self._set_step(Step.SOURCE)

    # -- Source ----------------------------------------------------------------------------

    async def choose_folder(self) -> None:
        recent = self._settings.recent_publish_folders
        folder = await ask_folder(self, self.folder or (recent[0] if recent else None))
        if folder is not None:
            self.use_folder(folder)

    def use_folder(self, folder: Path) -> None:
        """Take ``folder`` as the source if it is a project; say why not otherwise."""
        try:
            folder = project_folder(folder)
        except PublishError as exc:
            self._say(str(exc), error=True)
            return
        self._settings.remember_publish_folder(folder)
        self.folder = folder
        self._fill_recent()
        self.rows, self.published = [], []
        self._show_rows()
        self.banner.hide()
        self._set_step(Step.BUILD)

    def use_dist_files(self, paths: Sequence[Path]) -> None:
        """Files dropped on the window: they skip the build and go to Check."""
        if self.busy or self.step is Step.STAGED:
            return
        files = dist_files(paths)
        if not files:
            self._say(self.tr("Nothing to publish there: drop .whl or .tar.gz files."), error=True)
            return
        self.rows = [FileRow(p) for p in files]
        self.published = []
        self._show_rows()
        self._say(self._count(self.tr("%n file(s) ready to check.", "", len(files)), len(files)))
        self._set_step(Step.CHECK)

    # -- running a step --------------------------------------------------------------------

    async def _run(self, work: Awaitable[None]) -> None:
        """Run one step as the cancellable task; its expected failures become the banner."""
        self._task = asyncio.ensure_future(work)
        self.busy_changed.emit(True)
        self._update()
        try:
            await asyncio.shield(self._task)
        except asyncio.CancelledError:
            if not self._task.cancelled():
                # Not Cancel but the window closing: the step stops with it.
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
                raise
            self._say(self.tr("Cancelled."), error=True)
        except (PublishError, ClientError) as exc:
            self._say(describe(exc), error=True)
        finally:
            self.busy_changed.emit(False)
            self._task = None
            self._update()

    # -- Build -----------------------------------------------------------------------------

    async def build(self) -> None:
        """Build the chosen folder with pypa build; the log streams into the page."""
        folder = self.folder
        if folder is None:
            return
        isolation = not self.isolation_box.isChecked()
        self.log.clear()
        self.banner.hide()

        async def work() -> None:
            command = build_step.build_command(folder, folder / "dist", isolation=isolation)
            self.log.add_line("$ " + " ".join(command))
            files = await build_step.build(folder, on_line=self.log.add_line, isolation=isolation)
            self.rows = [FileRow(p) for p in files]
            self.published = []
            self._show_rows()
            self._say(
                self._count(
                    self.tr("Built %n file(s). Check them next.", "", len(files)), len(files)
                )
            )
            self._set_step(Step.CHECK)

        await self._run(work())

    # -- Check -----------------------------------------------------------------------------

    async def check(self) -> None:
        """twine's checks, PyPI's rules and what the target already has, per file."""
        context = self._context
        if context is None or not self.rows:
            return

        async def work() -> None:
            paths = [row.path for row in self.rows]
            checks = await check_files(context.http, context.profile, paths, context.token)
            self.rows = [FileRow(c.path, c) for c in checks]
            self._show_rows()
            failing = [c for c in checks if not c.ok]
            if failing:
                self._say(
                    self._count(
                        self.tr(
                            "%n file(s) cannot be published; the Check column says why.",
                            "",
                            len(failing),
                        ),
                        len(failing),
                    )
                    + "\n"
                    + "\n".join(f"{c.filename}: {c.problems[0]}" for c in failing),
                    error=True,
                )
                return
            there = sum(c.on_target is OnTarget.SAME for c in checks)
            text = self._count(self.tr("All %n file(s) passed.", "", len(checks)), len(checks))
            if there:
                text += " " + self._count(
                    self.tr("%n of them already on the index with the same bytes.", "", there),
                    there,
                )
            self._say(text)
            self._set_step(Step.PUBLISH)

        await self._run(work())

    # -- Publish ---------------------------------------------------------------------------

    def _passed(self) -> list[DistInfo]:
        return [
            row.dist for row in self.rows if row.dist is not None and row.check and row.check.ok
        ]

    async def publish(self) -> None:
        """Send the checked files to the toolbar's index, with progress; Cancel stops it."""
        context = self._context
        if context is None or self.step is not Step.PUBLISH:
            return
        skip = self.skip_box.isChecked()
        dists = self._passed()
        to_send = [
            row.dist
            for row in self.rows
            if row.dist is not None
            and not (skip and row.check is not None and row.check.on_target is OnTarget.SAME)
        ]
        for row in self.rows:
            row.status = (
                self.tr("waiting") if row.dist in to_send else self.tr("skipped: already there")
            )
        self._show_rows()
        await self._run(self._send(context, self._make_publisher(context, skip), dists, to_send))

    async def _send(
        self,
        context: IndexContext,
        publisher: Publisher,
        dists: list[DistInfo],
        to_send: list[DistInfo],
    ) -> None:
        total = sum(d.size for d in to_send) or 1
        done_bytes = 0
        position = 0
        current: list[DistInfo] = []

        def on_progress(progress: Progress) -> None:
            now = asyncio.get_running_loop().time()
            if progress.sent < progress.total and now - self._last_paint < PROGRESS_INTERVAL:
                return  # at most ten repaints a second, whatever the chunk size
            self._last_paint = now
            fraction = (done_bytes + progress.dist.size * progress.sent / progress.total) / total
            self.progress.setValue(int(fraction * self.progress.maximum()))
            self.progress_label.setText(
                self.tr("File {0} of {1}: {2} of {3} at {4}/s").format(
                    position,
                    len(to_send),
                    human_size(progress.sent),
                    human_size(progress.total),
                    human_size(int(progress.speed)),
                )
            )
            self._row_of(progress.dist).status = f"{progress.sent * 100 // progress.total}%"
            self._show_rows()

        self.progress.setValue(0)
        try:
            for dist in to_send:
                position += 1
                current[:] = [dist]
                self._row_of(dist).status = self.tr("uploading…")
                self._show_rows()
                [outcome] = await publisher.publish([dist], on_progress)
                done_bytes += dist.size
                self._row_of(dist).status = self.tr(outcome.value)
                self._show_rows()
        except BaseException:
            # A failed stage is discarded whole: none of its files is stored.
            failed = to_send if isinstance(publisher, StagedPublisher) else current
            for dist in failed:
                self._row_of(dist).status = self.tr("not stored")
            self._show_rows()
            self.published = []
            self._set_step(Step.CHECK)
            raise
        self.progress.setValue(self.progress.maximum())
        if isinstance(publisher, StagedPublisher) and publisher.session is not None:
            self._staged(context, publisher, dists)
            return
        self._mark_on_index(dists)
        self.published = dists
        first = dists[0]
        how = (
            self.tr("all at once")
            if publisher.all_at_once
            else self.tr("each file public as soon as it was sent")
        )
        self._say(
            self._count(
                self.tr("Published {0} {1} to {2}: %n file(s), {3}.", "", len(dists)), len(dists)
            ).format(first.name, first.version, context.profile.name, how)
        )
        self._set_step(Step.TRY)

    def _mark_on_index(self, dists: list[DistInfo]) -> None:
        """The files are public now: the index has them with these bytes."""
        for dist in dists:
            row = self._row_of(dist)
            assert row.check is not None  # a row has its dist from its check
            row.check = dataclasses.replace(row.check, on_target=OnTarget.SAME)
        self._show_rows()

    def _staged(
        self, context: IndexContext, publisher: StagedPublisher, dists: list[DistInfo]
    ) -> None:
        """The files wait in a session: say so, and offer Try it, Publish and Discard."""
        self.stage, self.stage_tried, self.staged_files = publisher, False, dists
        first = dists[0]
        self._say(
            self._count(
                self.tr(
                    "Staged {0} {1} on {2}: %n file(s), not public yet. Try it installs them "
                    "from the stage; Publish makes the whole release public at once; "
                    "Discard removes it.",
                    "",
                    len(dists),
                ),
                len(dists),
            ).format(first.name, first.version, context.profile.name)
        )
        self._set_step(Step.STAGED)

    async def release(self) -> None:
        """Publish the staged session: the whole release becomes public at once."""
        stage, context = self.stage, self._context
        if stage is None or context is None or self.step is not Step.STAGED:
            return
        dists = self.staged_files

        async def work() -> None:
            await stage.release()
            for dist in dists:
                self._row_of(dist).status = self.tr("published")
            self._mark_on_index(dists)
            self.stage, self.staged_files, self.published = None, [], dists
            first = dists[0]
            self._say(
                self._count(
                    self.tr("Published {0} {1} to {2}: %n file(s), all at once.", "", len(dists)),
                    len(dists),
                ).format(first.name, first.version, context.profile.name)
            )
            # Tried from the stage already: the same files are now public, so Promote is next.
            self._set_step(Step.PROMOTE if self.stage_tried else Step.TRY)

        await self._run(work())

    async def discard(self) -> None:
        """Cancel the staged session; the index keeps none of its files."""
        stage, context = self.stage, self._context
        if stage is None or context is None:
            return
        dists = self.staged_files

        async def work() -> None:
            await stage.discard()
            for dist in dists:
                self._row_of(dist).status = self.tr("discarded")
            self._show_rows()
            self.stage, self.stage_tried, self.staged_files = None, False, []
            first = dists[0]
            self._say(
                self.tr("Discarded the stage: nothing of {0} {1} is left on {2}.").format(
                    first.name, first.version, context.profile.name
                )
            )
            self._set_step(Step.CHECK)

        await self._run(work())

    def _row_of(self, dist: DistInfo) -> FileRow:
        return next(row for row in self.rows if row.dist == dist)

    # -- Try it ----------------------------------------------------------------------------

    async def try_it(self) -> None:
        """Install the release in a throwaway venv from the index (or the stage), import it."""
        context = self._context
        staged = self.stage is not None and self.step is Step.STAGED
        files = self.staged_files if staged else self.published
        if context is None or not files:
            return
        dist = files[0]
        # The stage preview is an index URL of its own: pip installs the staged files from it.
        index_url = self.stage.stage_url if staged and self.stage else None
        source = self.tr("the stage") if index_url else context.profile.name
        options = tryit.TryItOptions(
            with_dependencies=self.deps_box.isChecked(), command=self.command_field.text()
        )
        self.log.clear()

        async def work() -> None:
            workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="pypidesk-try-"))
            try:
                result = await tryit.try_release(
                    index_url or context.profile.index_url,
                    dist.name,
                    dist.version,
                    workdir=workdir,
                    on_line=self.log.add_line,
                    options=options,
                )
            finally:
                await asyncio.to_thread(shutil.rmtree, workdir, True)
            if result.ok:
                self._say(
                    self.tr("{0} {1} installed from {2} and imported: {3}.").format(
                        dist.name, dist.version, source, ", ".join(result.imported)
                    )
                )
                if staged:
                    self.stage_tried = True
                    self._update()
                else:
                    self._set_step(Step.PROMOTE)
                return
            self._say(
                self.tr("Installed, but the try failed: {0}. See the log.").format(
                    "; ".join(self.try_problems(result))
                ),
                error=True,
            )

        await self._run(work())

    def try_problems(self, result: tryit.TryItResult) -> list[str]:
        """What went wrong in a try, one phrase each."""
        problems = list(result.failed_imports)
        if result.command_returncode not in (None, 0):
            problems.append(
                self.tr("the command exited with {0}").format(result.command_returncode)
            )
        if not result.imported and not result.failed_imports:
            problems.append(self.tr("no importable module was found"))
        return problems

    # -- Promote ---------------------------------------------------------------------------

    async def promote(self) -> None:
        """The exact files that passed, to another profile, after the user confirms."""
        context = self._context
        if context is None or not self.published:
            return
        targets = [p for p in self._profiles() if p != context.profile]
        target = await promote_dialog.ask(self, targets, self.published)
        if target is None:
            return
        files = list(self.published)

        async def work() -> None:
            username, token = await self._credentials(target)
            checks = await check_files(context.http, target, [f.path for f in files], token)
            refused = [c for c in checks if not c.ok]
            if refused:
                self._say(
                    self.tr("Not promoted: {0}").format(
                        "; ".join(f"{c.filename}: {c.problems[-1]}" for c in refused)
                    ),
                    error=True,
                )
                return
            publisher = LegacyPublisher(
                context.http, target.upload_url, username=username, token=token, skip_existing=True
            )
            for row in self.rows:
                row.status = self.tr("promoting…")
            self._show_rows()
            await publisher.publish(files, lambda _p: None)
            for row in self.rows:
                row.status = self.tr("on {0}").format(target.name)
            self._show_rows()
            self._say(
                self._count(
                    self.tr("Promoted %n file(s) to {0}, byte for byte.", "", len(files)),
                    len(files),
                ).format(target.name)
            )

        await self._run(work())
