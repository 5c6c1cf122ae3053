"""The ``pypidesk`` command: the desktop app, ``serve`` and ``admin``.

Only this module turns failures into exit codes. Heavy imports (Qt, the
server) happen inside the command that needs them, so ``pypidesk --help`` is
fast and ``pypidesk serve`` never loads Qt.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from pypidesk import __version__
from pypidesk.paths import default_data_dir

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, with bad arguments reported on one line (exit code 2), not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (0-65535)")
    return port


def _workers(value: str) -> int:
    workers = int(value)
    if workers < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a number of workers (1 or more)")
    return workers


def _megabytes(value: str) -> int:
    try:
        size = int(value)
    except ValueError:
        size = 0
    if size < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number of MiB")
    return size * 1024 * 1024


def _kibibytes(value: str) -> int:
    try:
        size = int(value)
    except ValueError:
        size = 0
    if size < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number of KiB")
    return size * 1024


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pypidesk",
        description=(
            "A desktop app for Python package maintainers, and the PyPI-compatible "
            "index server it bundles. With no command, opens the desktop app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--config-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="desktop app: keep its settings (pypidesk.ini), the local index's data "
        "(local-index/) and its log (log/) in DIR instead of the usual places",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    serve = commands.add_parser(
        "serve",
        help="run the package index server headless",
        description="Run the package index server (PyPI-compatible) until interrupted.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=_port, default=8000, help="TCP port to bind (default: %(default)s)"
    )
    _add_storage_arguments(serve)
    serve.add_argument(
        "--allow-password-uploads",
        action="store_true",
        help="accept uploads with a username and password (PyPI refuses them; "
        "only for a throwaway local index)",
    )
    serve.add_argument(
        "--open-registration",
        action="store_true",
        help="let anyone create an account through the API "
        "(default: only the administrator creates users)",
    )
    serve.add_argument(
        "--require-auth-for-reads",
        action="store_true",
        help="private index: every read needs a username and password or an API token",
    )
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="worker processes; each serves every upload at once (default: %(default)s)",
    )
    serve.add_argument(
        "--max-file-size",
        type=_megabytes,
        default=None,
        metavar="MB",
        help="largest file an upload may be, in MiB (default: 100, as PyPI)",
    )
    serve.add_argument(
        "--max-project-size",
        type=_megabytes,
        default=None,
        metavar="MB",
        help="largest total size of one project's files, in MiB (default: 10240, as PyPI)",
    )
    _add_team_arguments(serve)
    _add_upstream_arguments(serve)
    # --- Bounded work per upload (issue 12, part A) ---
    serve.add_argument(
        "--max-description-size",
        type=_kibibytes,
        default=None,
        metavar="KB",
        help="largest long description an upload may carry, in KiB (default: 1024)",
    )
    serve.add_argument(
        "--description-render-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="time a description may take to render before the upload is refused (default: 2)",
    )
    _add_network_arguments(serve)
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log verbosity (default: %(default)s)",
    )
    from pypidesk.index.admin.cli import add_admin_parser  # noqa: PLC0415 - see _desktop_only

    add_admin_parser(commands)
    return parser


def _per_hour(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} is not a number per hour (0 for no limit)")
    return number


def _add_team_arguments(serve: argparse.ArgumentParser) -> None:
    """Options for a team's index: caching proxies to purge, operator limits (issue 17)."""
    serve.add_argument(
        "--purge-url",
        action="append",
        default=[],
        metavar="URL",
        help="after every write, send PURGE to URL with the changed pages' Surrogate-Key "
        "header (Varnish with xkey: packaging/caching-proxy/varnish.vcl; repeatable)",
    )
    serve.add_argument(
        "--purge-path-url",
        action="append",
        default=[],
        metavar="URL",
        help="after every write, request URL + each changed page's path (nginx with "
        "cache-purge: packaging/caching-proxy/nginx.conf's /_purge; repeatable)",
    )
    serve.add_argument(
        "--new-projects-per-hour",
        type=_per_hour,
        default=20,
        metavar="N",
        help="new projects one user may create per hour (default: %(default)s, as PyPI; "
        "0 for no limit; `pypidesk admin` is never limited)",
    )


def _team_settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "purge_urls": tuple(args.purge_url),
        "purge_path_urls": tuple(args.purge_path_url),
        "new_projects_per_hour": args.new_projects_per_hour,
    }


PYPI_SIMPLE = "https://pypi.org/simple/"


def _add_upstream_arguments(parser: argparse.ArgumentParser) -> None:
    """``serve --upstream``: fall-through to another index (issue 17)."""
    parser.add_argument(
        "--upstream",
        nargs="?",
        const=PYPI_SIMPLE,
        default=None,
        metavar="URL",
        help="serve names that have no local project from this Simple API index "
        f"(default with no URL: {PYPI_SIMPLE}), its pages and files cached in the data dir "
        "and served while it is down; a local project is never mixed with it",
    )


# --- Facing a network (issue 12, part B): docs/running-in-front-of-a-network.md ---


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"{value} is not a number of seconds (0-3600)")
    return seconds


def _count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return count


def _public_url(value: str) -> str:
    from pypidesk.index.serving.origin import origin_of  # noqa: PLC0415 - keep `--help` fast

    try:
        return origin_of(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _proxy(value: str) -> str:
    import ipaddress  # noqa: PLC0415

    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value} is not an address or network") from None
    return value


def _add_network_arguments(serve: argparse.ArgumentParser) -> None:
    group = serve.add_argument_group(
        "facing a network", "limits and trust; see docs/running-in-front-of-a-network.md"
    )
    group.add_argument(
        "--public-url",
        type=_public_url,
        default=None,
        metavar="URL",
        help="scheme://host[:port] clients reach the index at, for the links it writes "
        "(default: the address a connection arrives on; never the request's Host)",
    )
    group.add_argument(
        "--trusted-proxy",
        type=_proxy,
        action="append",
        default=[],
        metavar="ADDR",
        help="a reverse proxy (address or network) whose X-Forwarded-For / Forwarded "
        "headers name the client; repeatable (default: none, the headers are ignored)",
    )
    group.add_argument(
        "--header-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="time a client has to send a request's headers (default: 10)",
    )
    group.add_argument(
        "--body-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="time a client has to send each next piece of a body (default: 20)",
    )
    group.add_argument(
        "--keep-alive-timeout",
        type=_count,
        default=None,
        metavar="SECONDS",
        help="how long an idle connection stays open (default: 5)",
    )
    group.add_argument(
        "--max-connections",
        type=_count,
        default=None,
        metavar="N",
        help="open connections per server process; more get 503 (default: 500)",
    )
    group.add_argument(
        "--max-concurrent-uploads",
        type=_count,
        default=None,
        metavar="N",
        help="uploads received at once per server process; more get 503 (default: 8)",
    )


def _network_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The ServerSettings fields the network options set; defaults stay the settings'."""
    chosen: dict[str, Any] = {
        "public_url": args.public_url,
        "header_timeout": args.header_timeout,
        "body_timeout": args.body_timeout,
        "keep_alive_timeout": args.keep_alive_timeout,
        "max_connections": args.max_connections,
        "max_concurrent_uploads": args.max_concurrent_uploads,
    }
    found = {name: value for name, value in chosen.items() if value is not None}
    if args.trusted_proxy:
        found["trusted_proxies"] = tuple(args.trusted_proxy)
    return found


def _add_storage_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"where files and the SQLite records are kept (default: {default_data_dir()})",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL of the records instead of SQLite in the data dir, "
        "e.g. postgresql+psycopg://user@host/pypidesk",
    )


def _serve(args: argparse.Namespace) -> int:
    from pypidesk.index.db.private_files import prepare_data_dir  # noqa: PLC0415
    from pypidesk.index.serving.server import run_server  # noqa: PLC0415 - keep `--help` fast
    from pypidesk.index.settings import ServerSettings  # noqa: PLC0415

    data_dir = args.data_dir or default_data_dir()
    try:
        prepare_data_dir(data_dir)
    except OSError as exc:
        sys.stderr.write(f"pypidesk serve: error: cannot use {data_dir} as data dir: {exc}\n")
        return 1

    limits = {
        name: value
        for name, value in (
            ("max_file_size", args.max_file_size),
            ("max_project_size", args.max_project_size),
            ("max_description_size", args.max_description_size),
            ("description_render_timeout", args.description_render_timeout),
        )
        if value is not None
    }
    settings = ServerSettings(
        data_dir=data_dir,
        database_url=args.database_url,
        allow_password_uploads=args.allow_password_uploads,
        open_registration=args.open_registration,
        require_auth_for_reads=args.require_auth_for_reads,
        upstream_url=args.upstream,
        **limits,
        **_team_settings(args),
    )
    settings = dataclasses.replace(settings, **_network_settings(args))
    return run_server(
        settings, host=args.host, port=args.port, log_level=args.log_level, workers=args.workers
    )


def _use_test_hasher_if_asked(command: str) -> None:
    """Cheap password hashing in the test suite's children; see pypidesk.index.auth.passwords."""
    from pypidesk.index.auth import passwords  # noqa: PLC0415 - see _desktop_only

    if passwords.use_test_hasher_if_asked(os.environ) and command == "serve":
        # In the server's log, where an operator looks; the admin commands' output
        # is what scripts read, and each hash records its own cost anyway.
        sys.stderr.write(
            f"pypidesk serve: warning: {passwords.TEST_ONLY_CHEAP_HASHING} is set: "
            "passwords are hashed at a test-only cost. Never run a real index like this.\n"
        )


def _gui(argv: Sequence[str], config_dir: Path | None) -> int:
    from pypidesk.gui.app import run  # noqa: PLC0415 - Qt loads only for the desktop app

    return run(list(argv), config_dir)


def _desktop_only(argv: list[str]) -> tuple[bool, Path | None]:
    """(True, the config dir or None) when ``argv`` only opens the desktop app.

    ``pypidesk`` and ``pypidesk --config-dir DIR`` skip building the whole
    parser (the admin commands import their modules): the app's cold start
    is measured to the first paint, and this is part of it.
    """
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--config-dir" and argv[1] and not argv[1].startswith("-"):
        return True, Path(argv[1])
    if len(argv) == 1 and argv[0].startswith("--config-dir=") and len(argv[0]) > 13:
        return True, Path(argv[0].removeprefix("--config-dir="))
    return False, None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pypidesk`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    desktop, config_dir = _desktop_only(argv)
    if desktop:
        return _gui([sys.argv[0]], config_dir)
    args = build_parser().parse_args(argv)
    if args.command in ("serve", "admin"):
        _use_test_hasher_if_asked(args.command)
    if args.command == "serve":
        return _serve(args)
    if args.command == "admin":
        from pypidesk.index.admin.cli import run_admin  # noqa: PLC0415 - see _desktop_only

        return run_admin(args)
    return _gui([sys.argv[0]], args.config_dir)
