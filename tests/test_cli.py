"""The `pypidesk` command line: help, version, and one-line errors for bad arguments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pypidesk import __version__
from pypidesk.cli import build_parser, main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pypidesk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "serve" in result.stdout
    assert "With no command, opens the desktop app" in result.stdout


def test_serve_help_documents_the_contract() -> None:
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    for option in ("--host", "--port", "--data-dir", "--database-url"):
        assert option in result.stdout


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"pypidesk {__version__}"


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["serve", "--port", "http"], "argument --port: invalid _port value: 'http'"),
        (["serve", "--port", "70000"], "70000 is not a TCP port (0-65535)"),
        (["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_code_2(args: list[str], complaint: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pypidesk")
    assert complaint in lines[0]
    assert "--help" in lines[0]


def test_parser_defaults_bind_loopback() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.data_dir) == ("127.0.0.1", 8000, None)


def test_main_in_process_reports_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc_info:
        main(["--version"])
    assert exc_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"pypidesk {__version__}"


@pytest.mark.parametrize(
    ("argv", "config_dir"),
    [
        ([], None),
        (["--config-dir", "setup-a"], Path("setup-a")),
        (["--config-dir=setup-b"], Path("setup-b")),
        (["--config-dir", "setup-c", "--version"], "parser"),
        (["--config-dir", "--version"], "parser"),
        (["--config-dir="], "parser"),
    ],
)
def test_opening_the_app_takes_the_short_way_past_the_parser(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], config_dir: object
) -> None:
    import pypidesk.cli

    opened: list[object] = []
    monkeypatch.setattr(
        pypidesk.cli, "_gui", lambda argv, config_dir: opened.append(config_dir) or 0
    )
    monkeypatch.setattr(pypidesk.cli, "build_parser", lambda: pytest.fail("parser built"))
    if config_dir == "parser":
        with pytest.raises(pytest.fail.Exception, match="parser built"):
            pypidesk.cli.main(argv)
    else:
        assert pypidesk.cli.main(argv) == 0
        assert opened == [config_dir]


def test_config_dir_through_the_parser_reaches_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypidesk.cli

    opened: list[object] = []
    monkeypatch.setattr(pypidesk.cli, "_desktop_only", lambda argv: (False, None))
    monkeypatch.setattr(
        pypidesk.cli, "_gui", lambda argv, config_dir: opened.append(config_dir) or 0
    )
    assert pypidesk.cli.main(["--config-dir", "d"]) == 0
    assert opened == [Path("d")]
