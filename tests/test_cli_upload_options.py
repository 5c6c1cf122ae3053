"""``serve``'s upload limits options."""

from __future__ import annotations

import pytest

from pypidesk.cli import build_parser


def test_limits_in_mib() -> None:
    args = build_parser().parse_args(["serve", "--max-file-size", "5", "--max-project-size", "7"])
    assert (args.max_file_size, args.max_project_size) == (5 * 1024 * 1024, 7 * 1024 * 1024)


@pytest.mark.parametrize("value", ["0", "-1", "lots"])
def test_bad_limits_are_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["serve", "--max-file-size", value])
    assert info.value.code == 2
    assert f"{value} is not a positive number of MiB" in capsys.readouterr().err


def test_description_limits() -> None:
    args = build_parser().parse_args(
        ["serve", "--max-description-size", "512", "--description-render-timeout", "0.5"]
    )
    assert (args.max_description_size, args.description_render_timeout) == (512 * 1024, 0.5)
    defaults = build_parser().parse_args(["serve"])
    assert (defaults.max_description_size, defaults.description_render_timeout) == (None, None)


@pytest.mark.parametrize(
    ("option", "value", "error"),
    [
        ("--max-description-size", "0", "0 is not a positive number of KiB"),
        ("--max-description-size", "big", "big is not a positive number of KiB"),
        ("--description-render-timeout", "0", "0 is not a number of seconds (0-3600)"),
        ("--description-render-timeout", "inf", "inf is not a number of seconds (0-3600)"),
        ("--description-render-timeout", "soon", "soon is not a number of seconds (0-3600)"),
    ],
)
def test_bad_description_limits_are_refused(
    option: str, value: str, error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["serve", option, value])
    assert info.value.code == 2
    assert error in capsys.readouterr().err
