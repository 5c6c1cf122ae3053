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
