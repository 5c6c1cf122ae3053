"""The app's own account on its local index, made the first time the index runs.

A new user should be able to upload at once, without inventing a password for
a server on their own machine. So the first run creates an account named after
the OS user, with a random password that is used once and then forgotten, and
an upload+manage API token for the app, both through ``pypidesk admin`` (the
app never imports the server; it runs it).

Why forget the password: a secret not kept cannot leak, and none is needed
later. ``pypidesk admin create-token`` works straight on the data dir, which
only this OS user can write anyway, so when the app has lost its token it
mints a new one for the same account (:meth:`LocalSetup.renew_token`).

A small JSON file in the data dir (no secret in it, mode 0600) remembers that
the account exists, so later runs neither create another one nor mint another
token; a reset wipes it with the rest of the index's data.
"""

from __future__ import annotations

import asyncio
import dataclasses
import getpass
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pypidesk.client.errors import LocalSetupError
from pypidesk.client.local_index import admin_command
from pypidesk.client.redact import redact

ACCOUNT_FILE = "desktop-account.json"
TOKEN_NAME = "pypidesk-desktop"  # noqa: S105 - the token's name, not a secret
# The server's rule for usernames (pypidesk/index/accounts.py, as on PyPI).
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,48}[A-Za-z0-9])?$")
MAX_USERNAME_LENGTH = 50
FALLBACK_USERNAME = "maintainer"
# The index wants a dotted domain; .localdomain is where Unix files local users' mail.
EMAIL_DOMAIN = "localhost.localdomain"
# What `pypidesk admin create-user` says when the name is taken.
ALREADY_EXISTS = "already exists."


@dataclasses.dataclass(frozen=True, slots=True)
class ProcessResult:
    returncode: int
    stdout: str
    stderr: str


class ProcessRunner(Protocol):
    """Runs one command to its end; the seam tests and scripts can replace."""

    async def __call__(self, argv: Sequence[str], stdin: bytes | None = None) -> ProcessResult: ...


async def run_process(argv: Sequence[str], stdin: bytes | None = None) -> ProcessResult:
    """Run ``argv`` with asyncio's subprocess support (it works on the qasync loop too)."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await process.communicate(stdin)
    except asyncio.CancelledError:
        # Cancelled (the index stopped, the app quits): no child left behind.
        process.kill()
        await process.wait()
        raise
    return ProcessResult(
        process.returncode if process.returncode is not None else -1,
        stdout.decode("utf-8", errors="replace"),
        stderr.decode("utf-8", errors="replace"),
    )


def account_username(login: str | None = None) -> str:
    """The OS user name (or ``login``) made into a valid index username.

    Accents are dropped ("José" -> "Jose"), every other character the index
    refuses becomes "-", and an empty result falls back to "maintainer".
    """
    if login is None:
        try:
            login = getpass.getuser()
        except (OSError, KeyError):  # no USER/LOGNAME and no passwd entry (containers)
            login = ""
    ascii_login = unicodedata.normalize("NFKD", login).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_login).strip("._-")
    name = name[:MAX_USERNAME_LENGTH].rstrip("._-")
    return name if USERNAME_PATTERN.match(name) else FALLBACK_USERNAME


@dataclasses.dataclass(frozen=True, slots=True)
class AccountToken:
    """The app's account and a fresh token for it; the token is shown to no one."""

    username: str
    token: str = dataclasses.field(repr=False)


def read_account(data_dir: Path) -> str | None:
    """The username the app made on this data dir, or None if it made none (yet)."""
    try:
        data = json.loads((data_dir / ACCOUNT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # Missing or unreadable: creating the account again finds it and adopts it.
        return None
    username = data.get("username") if isinstance(data, dict) else None
    return username if isinstance(username, str) and username else None


def write_account(data_dir: Path, username: str) -> None:
    """Remember (without any secret) that ``username`` is the app's account here."""
    path = data_dir / ACCOUNT_FILE
    temporary = path.with_name(path.name + ".tmp")
    content = json.dumps({"username": username, "token_name": TOKEN_NAME}, indent=2) + "\n"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(content)
    temporary.chmod(0o600)  # O_CREAT's mode does not apply to an existing file
    temporary.replace(path)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return redact(lines[-1]) if lines else "no reason given"


class LocalSetup:
    """First-run account and token on one data dir, through ``pypidesk admin``."""

    def __init__(
        self,
        data_dir: Path,
        *,
        runner: ProcessRunner = run_process,
        username: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self._runner = runner
        self._username = username or account_username()

    @property
    def username(self) -> str | None:
        """The account the app made here, or None before the first run."""
        return read_account(self.data_dir)

    async def ensure_account(self) -> AccountToken | None:
        """Create the account and its token the first time; None when it exists already."""
        if self.username is not None:
            return None
        return await self.create_account()

    async def create_account(self) -> AccountToken:
        """Create the account (or adopt one of that name) and a token, and note it."""
        username = self._username
        # Used once, on stdin (never on the command line, which `ps` shows), then dropped.
        password = secrets.token_urlsafe(24)
        created = await self._runner(
            admin_command(
                self.data_dir, "create-user", username, "--email", f"{username}@{EMAIL_DOMAIN}"
            ),
            (password + "\n").encode(),
        )
        if created.returncode == 0:
            token = await self._create_token(username)
        elif created.stderr.rstrip().endswith(ALREADY_EXISTS):
            # Made by hand or by an earlier run whose note was lost: this OS
            # user owns the data dir, so the account named after them is theirs.
            token = await self._replace_token(username)
        else:
            raise LocalSetupError(
                f"Could not create the account {username!r} on the local index: "
                f"{_last_line(created.stderr)}"
            )
        write_account(self.data_dir, username)
        return AccountToken(username, token)

    async def renew_token(self) -> AccountToken:
        """A new token for the existing account, replacing the app's old one."""
        username = self.username
        if username is None:
            raise LocalSetupError(
                "The local index has no account for this app yet; start it to create one."
            )
        return AccountToken(username, await self._replace_token(username))

    async def _replace_token(self, username: str) -> str:
        # Token names are unique per user; revoking first keeps one app token,
        # and fails harmlessly when there is none.
        await self._runner(admin_command(self.data_dir, "revoke-token", username, TOKEN_NAME))
        return await self._create_token(username)

    async def _create_token(self, username: str) -> str:
        result = await self._runner(
            admin_command(
                self.data_dir,
                "create-token",
                username,
                "--name",
                TOKEN_NAME,
                "--permission",
                "upload",
                "--permission",
                "manage",
            )
        )
        token = result.stdout.strip()
        if result.returncode != 0 or not token.startswith("pypi-"):
            raise LocalSetupError(
                f"Could not create an API token for {username!r} on the local index: "
                f"{_last_line(result.stderr)}"
            )
        return token
