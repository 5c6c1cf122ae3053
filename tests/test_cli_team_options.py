"""``serve``'s options for a team's index: caching proxies to purge, new projects per hour."""

from __future__ import annotations

from pathlib import Path

import pytest

import pypidesk.index.serving.server
from pypidesk.cli import build_parser, main
from pypidesk.index.admin.cli import run_admin
from pypidesk.index.settings import ServerSettings


def _settings_of(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> ServerSettings:
    seen: list[ServerSettings] = []

    def run_server(settings: ServerSettings, **_options: object) -> int:
        seen.append(settings)
        return 0

    monkeypatch.setattr(pypidesk.index.serving.server, "run_server", run_server)
    assert main(argv) == 0
    return seen[0]


def test_purge_urls_and_the_limit_reach_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings_of(
        [
            "serve",
            "--data-dir",
            str(tmp_path),
            "--purge-url",
            "http://varnish-a/",
            "--purge-url",
            "http://varnish-b/",
            "--purge-path-url",
            "http://nginx/_purge",
            "--new-projects-per-hour",
            "0",
        ],
        monkeypatch,
    )
    assert settings.purge_urls == ("http://varnish-a/", "http://varnish-b/")
    assert settings.purge_path_urls == ("http://nginx/_purge",)
    assert settings.new_projects_per_hour == 0


def test_by_default_nothing_is_purged_and_pypi_s_limit_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings_of(["serve", "--data-dir", str(tmp_path)], monkeypatch)
    assert (settings.purge_urls, settings.purge_path_urls) == ((), ())
    assert settings.new_projects_per_hour == 20


@pytest.mark.parametrize("value", ["-1", "many"])
def test_a_bad_limit_is_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["serve", "--new-projects-per-hour", value])
    assert info.value.code == 2
    assert f"{value} is not a number per hour (0 for no limit)" in capsys.readouterr().err


def test_help_documents_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--purge-url URL" in text
    assert "--purge-path-url URL" in text
    assert (
        "new projects one user may create per hour (default: 20, as PyPI; 0 for no limit;" in text
    )


def test_the_admin_commands_are_not_limited(tmp_path: Path) -> None:
    seen: list[ServerSettings] = []
    args = build_parser().parse_args(["admin", "--data-dir", str(tmp_path), "unyank", "x", "1"])

    def handler(_session: object, settings: ServerSettings, _args: object) -> str:
        seen.append(settings)
        return "done"

    args.admin_handler = handler
    assert run_admin(args) == 0
    assert seen[0].new_projects_per_hour == 0
