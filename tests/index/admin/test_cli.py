"""``pypidesk admin`` as a user runs it: real subprocesses on a real data dir."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from pypidesk.index.auth.identity import (
    AuthenticationError,
    TokenScopeError,
    authenticate,
    check_token,
)
from pypidesk.index.db.models import ApiToken, Project
from pypidesk.index.settings import ServerSettings
from pypidesk.paths import default_data_dir
from tests.conftest import LiveServer
from tests.index.factories import PASSWORD, make_project, open_database


def admin(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pypidesk", "admin", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def create_user(data_dir: Path, name: str = "alice") -> None:
    result = admin(
        "--data-dir", str(data_dir), "create-user", name, "--email", f"{name}@example.org",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"Created user {name!r}.\n",
        "",
    )


def create_token(data_dir: Path, *args: str) -> str:
    result = admin("--data-dir", str(data_dir), "create-token", *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    token, newline, rest = result.stdout.partition("\n")
    assert (newline, rest) == ("\n", "")
    assert token.startswith("pypi-")
    return token


def check(settings: ServerSettings, token: str, project_name: str | None = None) -> str:
    """Use the token as the server would; the user it authenticates."""
    database = open_database(settings)
    try:
        with database.write() as session:
            identity = authenticate(session, settings, f"Bearer {token}", allow_password=False)
            project = None
            if project_name is not None:
                query = select(Project).where(Project.normalized_name == project_name)
                project = session.scalars(query).one()
            check_token(settings, identity, project=project)
            return identity.user.username
    finally:
        database.dispose()


def test_create_user_and_token_on_a_fresh_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "never-served"
    create_user(data_dir)
    token = create_token(data_dir, "alice")
    assert check(ServerSettings(data_dir=data_dir), token) == "alice"
    # The user's password works too, for an index that allows it.
    settings = ServerSettings(data_dir=data_dir)
    database = open_database(settings)
    with database.write() as session:
        basic = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
        assert authenticate(session, settings, basic, allow_password=True).token is None
        name = session.scalars(select(ApiToken.name)).one()
    database.dispose()
    assert name.startswith("cli-")


def test_password_line_ending_is_stripped_but_nothing_else(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = admin(
        "--data-dir", str(data_dir), "create-user", "bob", "--email", "bob@example.org",
        stdin=" spaced password \r\nsecond line\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    settings = ServerSettings(data_dir=data_dir)
    database = open_database(settings)
    with database.write() as session:
        for password, works in ((" spaced password ", True), ("spaced password", False)):
            basic = "Basic " + base64.b64encode(f"bob:{password}".encode()).decode()
            if works:
                authenticate(session, settings, basic, allow_password=True)
            else:
                with pytest.raises(AuthenticationError):
                    authenticate(session, settings, basic, allow_password=True)
    database.dispose()


def test_scoped_expiring_manage_token(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    create_user(data_dir)
    settings = ServerSettings(data_dir=data_dir)
    database = open_database(settings)
    with database.write() as session:
        make_project(session, "Demo.Pkg")
        make_project(session, "other")
    token = create_token(
        data_dir, "ALICE", "--project", "demo_pkg", "--expires-in-days", "7",
        "--name", "release-ci", "--permission", "manage", "--permission", "upload",
    )  # fmt: skip
    with database.read() as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.name == "release-ci"
        assert row.project_names == ["demo-pkg"]
        assert row.permissions == ["manage", "upload"]
        assert row.expires_at is not None
        left = row.expires_at.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
        assert dt.timedelta(days=6, hours=23) < left <= dt.timedelta(days=7)
    database.dispose()
    assert check(settings, token, "demo-pkg") == "alice"
    with pytest.raises(TokenScopeError, match="not valid for project: 'other'"):
        check(settings, token, "other")


def test_database_url_keeps_the_secret_in_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "shared"
    url = f"sqlite:///{tmp_path / 'records' / 'elsewhere.sqlite3'}"
    (tmp_path / "records").mkdir()
    common = ("--data-dir", str(data_dir), "--database-url", url)
    result = admin(*common, "create-user", "carol", "--email", "c@example.org", stdin=PASSWORD)
    assert result.returncode == 0, result.stderr
    result = admin(*common, "create-token", "carol")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "records" / "elsewhere.sqlite3").exists()
    assert not (data_dir / "pypidesk.sqlite3").exists()
    assert (data_dir / "secret.key").exists()
    settings = ServerSettings(data_dir=data_dir, database_url=url)
    assert check(settings, result.stdout.strip()) == "carol"


def test_database_url_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    data_dir = tmp_path / "shared"
    common = ("--data-dir", str(data_dir), "--database-url", postgres_url)
    result = admin(*common, "create-user", "pat", "--email", "p@example.org", stdin=PASSWORD)
    assert result.returncode == 0, result.stderr
    result = admin(*common, "create-token", "pat")
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in data_dir.iterdir()) == [".migrate.lock", "secret.key"]
    settings = ServerSettings(data_dir=data_dir, database_url=postgres_url)
    assert check(settings, result.stdout.strip()) == "pat"


def test_database_url_alone_uses_the_default_data_dir(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    result = admin("--database-url", url, "create-user", "dan", "--email", "d@example.org",
                   stdin=PASSWORD)  # fmt: skip
    assert result.returncode == 0, result.stderr
    token = admin("--database-url", url, "create-token", "dan").stdout.strip()
    # The isolated_user_dirs fixture points the default data dir into tmp.
    assert (default_data_dir() / "secret.key").exists()
    settings = ServerSettings(data_dir=default_data_dir(), database_url=url)
    assert check(settings, token) == "dan"


@pytest.fixture(scope="module")
def alice_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with user alice and her token "dup"; failing commands change nothing."""
    data_dir = tmp_path_factory.mktemp("alice") / "data"
    create_user(data_dir)
    create_token(data_dir, "alice", "--name", "dup")
    return data_dir


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["create-token", "nobody"],
            "",
            "pypidesk admin create-token: error: No user named 'nobody'.",
        ),
        (
            ["create-user", "alice", "--email", "x@example.org"],
            PASSWORD,
            "pypidesk admin create-user: error: User 'alice' already exists.",
        ),
        (
            ["create-user", "bad-", "--email", "x@example.org"],
            PASSWORD,
            "pypidesk admin create-user: error: The username 'bad-' is invalid: use at most 50 "
            "ASCII letters, digits, '.', '_' and '-', starting and ending with a letter or digit.",
        ),
        (
            ["create-user", "erin", "--email", "x@example.org"],
            "",
            "pypidesk admin create-user: error: no password on stdin; give it as one line",
        ),
        (
            ["create-user", "erin", "--email", "x@example.org"],
            "short\n",
            "pypidesk admin create-user: error: The password must be 8 to 4096 characters long.",
        ),
        (
            ["create-token", "alice", "--project", "missing"],
            "",
            "pypidesk admin create-token: error: No project named 'missing'.",
        ),
        (
            ["create-token", "alice", "--name", "dup"],
            "",
            "pypidesk admin create-token: error: User 'alice' already has a token named 'dup'.",
        ),
    ],
)
def test_domain_errors_are_one_line_and_exit_1(
    alice_data_dir: Path, args: list[str], stdin: str, message: str
) -> None:
    result = admin("--data-dir", str(alice_data_dir), *args, stdin=stdin)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message + "\n")


def test_a_damaged_secret_is_reported_not_replaced(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    create_user(data_dir)
    (data_dir / "secret.key").write_bytes(b"oops")
    result = admin("--data-dir", str(data_dir), "create-token", "alice")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "holds 4 bytes, not a 32-byte pypidesk secret" in result.stderr
    assert result.stdout == ""
    # Nothing was saved for the token that could not be made.
    database = open_database(ServerSettings(data_dir=data_dir))
    with database.read() as session:
        assert session.scalars(select(ApiToken)).all() == []
    database.dispose()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["create-user", "alice"], "the following arguments are required: --email"),
        (["create-token"], "the following arguments are required: NAME"),
        (["create-token", "a", "--expires-in-days", "0"], "'0' is not a whole number of days"),
        (["create-token", "a", "--expires-in-days", "soon"], "'soon' is not a whole number"),
        (["create-token", "a", "--permission", "delete"], "invalid choice: 'delete'"),
        (["drop-tables"], "invalid choice: 'drop-tables'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    result = admin("--data-dir", str(tmp_path / "data"), *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert fragment in result.stderr
    assert not (tmp_path / "data").exists()


def test_works_beside_a_running_server(live_server: LiveServer) -> None:
    data_dir = live_server.data_dir
    create_user(data_dir, "ops")
    tokens = [create_token(data_dir, "ops", "--name", f"t{i}") for i in range(2)]
    settings = ServerSettings(data_dir=data_dir)
    assert [check(settings, token) for token in tokens] == ["ops", "ops"]
    assert httpx.get(live_server.url + "/_health", timeout=5).status_code == 200
    assert live_server.process.poll() is None
    # One secret for everyone: the server, once it checks tokens, reads this file.
    assert (data_dir / "secret.key").stat().st_size == 32


def test_admin_is_a_listed_command_and_loads_no_records_code_until_run() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pypidesk", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "admin" in result.stdout
    code = (
        "import sys, pypidesk.cli; pypidesk.cli.build_parser();"
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'argon2'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "[]"
