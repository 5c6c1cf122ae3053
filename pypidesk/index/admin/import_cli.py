"""The ``pypidesk admin import`` command: its arguments, its progress bar, its summary.

Unlike the other admin commands it is not one transaction: every file is
its own upload (see :mod:`pypidesk.index.admin.import_run`), so that an
import of thousands of files can be interrupted and run again.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from pypidesk.index.admin.import_run import Summary
    from pypidesk.index.settings import ServerSettings

EXIT_REFUSED = 1
EXIT_INTERRUPTED = 130


def add_import_command(commands: Any) -> None:
    """Add ``import`` to ``pypidesk admin``'s subcommands."""
    command = commands.add_parser(
        "import",
        help="bring the files of another index or a folder over",
        description="Import every distribution of SOURCE: a folder (flat or one folder per "
        "project, as pypiserver keeps them) or the URL of a Simple API index (pypiserver, "
        "devpi, pypidesk, PyPI; http://user:password@host/simple/ for a private one). Each "
        "file goes through the upload checks as if OWNER had uploaded it with twine; its "
        "hashes must match the source's; upload times are kept where the source gives them. "
        "Files already in the index are skipped, so an interrupted import can simply be run "
        "again. Exits 1 if any file was refused.",
    )
    command.add_argument("source", metavar="SOURCE", help="a folder or a Simple API URL")
    command.add_argument(
        "--owner",
        required=True,
        metavar="USER",
        help="the user new projects are registered to (as their Owner); must exist",
    )
    command.set_defaults(admin_run=run_import)


def run_import(settings: ServerSettings, args: argparse.Namespace) -> int:
    """Run the import; the summary goes to stdout, the progress bar to stderr."""
    from rich.console import Console  # noqa: PLC0415 - loads only for this command
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # noqa: PLC0415

    from pypidesk.index.admin.import_run import Importer, Summary, find_owner  # noqa: PLC0415
    from pypidesk.index.admin.import_sources import open_source  # noqa: PLC0415
    from pypidesk.index.db.engine import Database  # noqa: PLC0415
    from pypidesk.index.db.migrate import upgrade  # noqa: PLC0415
    from pypidesk.index.upload.renderer import WorkerRenderer  # noqa: PLC0415
    from pypidesk.index.upload.startup import open_storage  # noqa: PLC0415

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database.from_url(settings.resolved_database_url)
    # Descriptions render as on upload: in child processes, each with a time limit.
    renderer = WorkerRenderer(
        workers=settings.description_render_workers, timeout=settings.description_render_timeout
    )
    summary = Summary()
    try:
        upgrade(database.engine, settings.data_dir)
        importer = Importer(
            database,
            settings,
            open_storage(settings, database),
            find_owner(database, args.owner),
            renderer,
        )
        source = open_source(args.source)
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        task = progress.add_task("Listing", total=None)
        try:
            with progress:
                importer.run(
                    source,
                    summary,
                    report=lambda outcome: progress.update(
                        task, advance=1, description=outcome.filename
                    ),
                    started=lambda total: progress.update(task, total=total),
                )
        finally:
            source.close()
    except KeyboardInterrupt:
        write_summary(summary, sys.stdout)
        sys.stdout.write("Interrupted; run the same command again to import the rest.\n")
        return EXIT_INTERRUPTED
    finally:
        renderer.close()
        database.dispose()
    write_summary(summary, sys.stdout)
    return EXIT_REFUSED if summary.refusals() else 0


def write_summary(summary: Summary, out: TextIO) -> None:
    """How many files were imported, skipped and refused, and why each refusal."""
    imported, skipped, refused = summary.counts()
    out.write(
        f"Imported {imported} files, skipped {skipped} "
        f"(already in the index), refused {refused}.\n"
    )
    for outcome in summary.refusals():
        out.write(f"  refused {outcome.filename}: {outcome.reason}\n")
