"""``pypidesk admin`` yank, unyank, add-role, revoke-token and set-flag, beside a live server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pypidesk.cli import main
from pypidesk.index.admin import commands
from pypidesk.index.records import flags
from pypidesk.index.settings import ServerSettings
from tests.conftest import LiveServer
from tests.index.admin.test_cli import admin
from tests.index.api.conftest import Index
from tests.index.factories import open_database
from tests.index.manage.factories import event_rows, journal_actions


def test_flag_ids_match_the_servers() -> None:
    assert tuple(flags.FLAGS) == commands.FLAG_IDS


def test_each_command_works_while_serve_runs(live_server: LiveServer) -> None:
    index = Index(live_server)
    try:
        for name in ("alice", "bob"):
            index.user(name)
        index.records.project("Spam", owners=("alice",))
        index.records.release("Spam", "1.0", filenames=("spam-1.0.tar.gz",))
        token = index.token("alice", "laptop")
        bob_token = index.token("bob", "bob-laptop")
        data_dir = ["--data-dir", str(live_server.data_dir)]
        api = index.http
        alice = {"Authorization": f"Bearer {token}"}

        def run(*args: str) -> str:
            result = admin(*data_dir, *args)
            assert (result.returncode, result.stderr) == (0, ""), result.stderr
            return result.stdout

        assert run("yank", "spam", "1.0", "--reason", "bad build") == "Yanked Spam 1.0.\n"
        served = httpx.get(live_server.url + "/pypi/spam/1.0/json").json()["info"]
        assert (served["yanked"], served["yanked_reason"]) == (True, "bad build")
        assert run("unyank", "spam", "1.0") == "Unyanked Spam 1.0.\n"
        assert httpx.get(live_server.url + "/pypi/spam/1.0/json").json()["info"]["yanked"] is False

        assert run("add-role", "bob", "spam", "Maintainer") == "bob is now Maintainer of Spam.\n"
        bob = {"Authorization": f"Bearer {bob_token}"}
        assert api.get("/projects/spam/collaborators", headers=bob).status_code == 200

        assert run("revoke-token", "bob", "bob-laptop") == "Revoked token 'bob-laptop' of bob.\n"
        assert api.get("/account", headers=bob).status_code == 401

        assert run("set-flag", "read-only", "on") == "read-only is on.\n"
        refused = api.post("/projects/spam/releases/1.0/yank", headers=alice, json={})
        assert (refused.status_code, refused.json()["code"]) == (403, "read_only")
        assert api.get("/flags").json()["flags"]["read-only"] is True
        assert run("set-flag", "read-only", "off") == "read-only is off.\n"
        assert api.post("/projects/spam/releases/1.0/yank", headers=alice, json={}).is_success

        assert [action for _, _, action, _ in journal_actions(index.database)] == [
            "yank release",
            "unyank release",
            "add Maintainer bob",
            "yank release",
        ]
        admin_events = [e for e in event_rows(index.database) if e.username is None]
        assert [e.tag for e in admin_events] == [
            "project:release:yank",
            "project:release:unyank",
            "project:role:add",
            "account:api_token:removed",
            "admin:flag:set",
            "admin:flag:set",
        ]
        assert all(e.additional.get("by", "admin") == "admin" for e in admin_events)
    finally:
        index.close()


@pytest.fixture
def data_dir_with_spam(data_dir: Path) -> Path:
    settings = ServerSettings(data_dir=data_dir)
    database = open_database(settings)
    try:
        from tests.index.manage.factories import Records

        records = Records(database)
        records.user("alice")
        records.project("spam", owners=("alice",))
        records.release("spam", "1.0")
    finally:
        database.dispose()
    return data_dir


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["yank", "spam", "9"], "No release 9 of project 'spam'."),
        (["unyank", "spam", "1.0"], "Release 1.0 of project 'spam' is not yanked."),
        (["yank", "nope", "1.0"], "No project named 'nope'."),
        (
            ["add-role", "alice", "spam", "Owner"],
            "User 'alice' already has Owner role for project",
        ),
        (["add-role", "zed", "spam", "Owner"], "No user named 'zed'."),
        (["revoke-token", "alice", "laptop"], "User 'alice' has no token named 'laptop'."),
        (["revoke-token", "zed", "laptop"], "No user named 'zed'."),
    ],
)
def test_refusals_are_one_line(
    data_dir_with_spam: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code = main(["admin", "--data-dir", str(data_dir_with_spam), *args])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == f"pypidesk admin {args[0]}: error: {message}\n"


def test_set_flag_takes_only_known_flags(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["admin", "--data-dir", str(data_dir), "set-flag", "read_only", "on"])
    assert exited.value.code == 2
    assert "invalid choice: 'read_only'" in capsys.readouterr().err
    assert main(["admin", "--data-dir", str(data_dir), "set-flag", "disallow-deletion", "on"]) == 0
    assert capsys.readouterr().out == "disallow-deletion is on.\n"


def test_prohibit_and_allow_a_name(
    data_dir_with_spam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypidesk.index.records.projects import ProjectCreationError, create_project
    from tests.index.factories import make_user

    data_dir = str(data_dir_with_spam)
    assert (
        main(["admin", "--data-dir", data_dir, "prohibit-name", "Bad.Name", "--comment", "x"]) == 0
    )
    assert capsys.readouterr().out == "The name 'bad-name' can no longer be registered.\n"
    settings = ServerSettings(data_dir=data_dir_with_spam)
    database = open_database(settings)
    try:
        with pytest.raises(ProjectCreationError) as info, database.write() as session:
            create_project(session, settings, "bad_name", make_user(session, "mallory"))
        assert info.value.status == 400
        last = event_rows(database)[-1]
        assert (last.tag, last.project_normalized_name) == ("admin:name:prohibit", "bad-name")
    finally:
        database.dispose()
    assert main(["admin", "--data-dir", data_dir, "allow-name", "bad_name"]) == 0
    assert capsys.readouterr().out == "The name 'bad-name' can be registered again.\n"
    assert main(["admin", "--data-dir", data_dir, "allow-name", "bad_name"]) == 1
    assert capsys.readouterr().err == (
        "pypidesk admin allow-name: error: The name 'bad_name' is not prohibited.\n"
    )
