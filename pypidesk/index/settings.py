"""The one settings object of a server process, built once at start-up and passed down."""

from __future__ import annotations

import dataclasses
from pathlib import Path

MIB = 1024 * 1024
GIB = 1024 * MIB
DAY = 24 * 60 * 60


@dataclasses.dataclass(frozen=True, slots=True)
class ServerSettings:
    """Everything a server process needs to know, read once from the command line.

    ``database_url`` defaults to a SQLite file inside ``data_dir``; files always
    live under ``data_dir / "packages"``, so a team that moves its records to
    PostgreSQL still points every worker at one shared data directory.
    """

    data_dir: Path
    database_url: str | None = None
    # PyPI refuses password uploads outright; a throwaway local index may allow them.
    allow_password_uploads: bool = False
    max_file_size: int = 100 * MIB
    max_project_size: int = 10 * GIB
    # A private index: every read (simple pages, files, JSON API, XML-RPC) needs
    # an account's password or API token, as pip and uv send them.
    require_auth_for_reads: bool = False
    # Shown in error texts as PyPI's ``{help}``; points at PyPI's help page by default.
    help_url: str = "https://pypi.org/help/"
    # The location written into API tokens; PyPI writes its domain there.
    token_domain: str = "pypidesk"  # noqa: S105 - a location, not a secret
    # The server secret every API token's root key is derived from. It lives
    # outside the database so that a leaked database yields no usable token;
    # all workers of one index (also with ``database_url``) must share it.
    secret_key_file: Path | None = None
    # Registration is an admin action (``pypidesk admin create-user``) unless a
    # local index opts in to self-registration through the API.
    open_registration: bool = False
    # PEP 694 publishing sessions: how long one lives, how far extensions may
    # push it (from its creation), and how long a finished one's status is kept.
    # The draft recommends expunging sessions after no less than a week.
    staging_lifetime: int = 7 * DAY
    staging_max_lifetime: int = 30 * DAY
    staging_retention: int = 7 * DAY

    # --- Team operation (issue 17): caching proxies and operator limits. ---
    # Proxies purged by surrogate key after every write (Varnish + xkey).
    purge_urls: tuple[str, ...] = ()
    # Proxies purged one URL at a time (nginx + cache-purge): the purge location's URL.
    purge_path_urls: tuple[str, ...] = ()
    # PyPI's anti-spam limit on new projects per user per hour; 0 for none.
    new_projects_per_hour: int = 20

    # ``serve --upstream``: the Simple API index (``…/simple/``) that names with
    # no local project are served from, its pages and files cached in the data
    # dir. A local project is never mixed with it. None: no fall-through.
    upstream_url: str | None = None

    # --- Bounded work per upload (issue 12, part A) ---
    # The long description's cap, in UTF-8 bytes. PyPI sets none; 1 MiB is
    # twenty times a long README, and more than a changelog-laden one.
    max_description_size: int = 1 * MIB
    # A render taking longer is stopped and the upload refused (400).
    description_render_timeout: float = 2.0
    # Child processes rendering descriptions at once, per server process.
    description_render_workers: int = 2

    # --- Facing a network (issue 12, part B): see docs/running-in-front-of-a-network.md ---
    # The scheme, host and port clients reach the index at, for every absolute
    # link (file URLs, redirects). None: the address the connection arrived on.
    # Never the request's Host header, which any client chooses.
    public_url: str | None = None
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For /
    # Forwarded headers name the client; from anyone else those headers are ignored.
    trusted_proxies: tuple[str, ...] = ()
    # Seconds a client may take to send a request's headers, and to send each
    # next piece of a body; then the connection is closed (Apache's are 20-40 s).
    header_timeout: float = 10.0
    body_timeout: float = 20.0
    # Seconds an idle keep-alive connection stays open.
    keep_alive_timeout: int = 5
    # Open connections per server process; above it, requests get 503.
    max_connections: int = 500
    # Uploads received at once per server process; above it, 503 at once.
    max_concurrent_uploads: int = 8

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL of the records, the SQLite file in the data dir by default."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'pypidesk.sqlite3'}"

    @property
    def resolved_secret_key_file(self) -> Path:
        """The server secret's file, ``secret.key`` in the data dir by default."""
        return self.secret_key_file or self.data_dir / "secret.key"

    @property
    def staging_dir(self) -> Path:
        """Files of PEP 694 publishing sessions, one directory per session, until published."""
        return self.data_dir / "staging"

    @property
    def upstream_dir(self) -> Path:
        """The upstream's cached pages (``pages/``) and files (``files/``)."""
        return self.data_dir / "upstream"

    @property
    def packages_dir(self) -> Path:
        """Root of the content-addressed file store."""
        return self.data_dir / "packages"
