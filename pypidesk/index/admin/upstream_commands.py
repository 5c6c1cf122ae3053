"""``pypidesk admin track-upstream`` / ``untrack-upstream``: PEP 708 ``tracks`` for a local name.

PEP 708 wants ``tracks`` under the repository operator's control, never a
publisher's: so it is an admin command, not an API call. A marked project's
pages say it is the upstream index's project of the same name, and an
installer that honours PEP 708 may then merge the two; an unmarked local
name stays a name of its own. The change is journaled, which moves the
project's serial, so every worker's cached pages (and a caching proxy's)
are renewed at once.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from pypidesk.index.settings import ServerSettings


def add_upstream_commands(commands: Any) -> None:
    """Add ``track-upstream`` and ``untrack-upstream`` to ``pypidesk admin``."""
    for command, tracked, text in (
        ("track-upstream", True, "mark a local project as the upstream's project of its name"),
        ("untrack-upstream", False, "take that mark off again"),
    ):
        parser = commands.add_parser(
            command,
            help=f"{text} (PEP 708 tracks)",
            description=f"{text[0].upper()}{text[1:]}. Its Simple API pages then carry "
            "PEP 708's tracks metadata naming the upstream's project (serve --upstream, "
            "PyPI by default).",
        )
        parser.add_argument("name", metavar="NAME", help="the local project")
        parser.set_defaults(admin_handler=_set_tracks, tracked=tracked)


def _set_tracks(session: Session, _settings: ServerSettings, args: argparse.Namespace) -> str:
    from pypidesk.index.manage.lookup import get_project  # noqa: PLC0415
    from pypidesk.index.records import journal  # noqa: PLC0415
    from pypidesk.index.records.events import record_event  # noqa: PLC0415

    project = get_project(session, args.name)
    if project.tracks_upstream != args.tracked:
        project.tracks_upstream = args.tracked
        action = "tracks upstream" if args.tracked else "no longer tracks upstream"
        journal.record(session, project, action)
        record_event(
            session,
            "admin:project:tracks",
            project_name=project.normalized_name,
            additional={"tracks": args.tracked},
        )
    state = "tracks" if args.tracked else "does not track"
    return f"{project.name} {state} the upstream's project of the same name."
