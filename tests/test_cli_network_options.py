"""``serve``'s options for facing a network: validated, and handed to the settings."""

from __future__ import annotations

import pytest

from pypidesk.cli import _network_settings, build_parser


def _serve(*args: str) -> dict[str, object]:
    return _network_settings(build_parser().parse_args(["serve", *args]))


def test_defaults_leave_the_settings_defaults() -> None:
    assert _serve() == {}


def test_every_option_reaches_its_setting() -> None:
    assert _serve(
        "--public-url",
        "https://pypi.example.org/",
        "--trusted-proxy",
        "10.0.0.0/8",
        "--trusted-proxy",
        "::1",
        "--header-timeout",
        "2.5",
        "--body-timeout",
        "30",
        "--keep-alive-timeout",
        "7",
        "--max-connections",
        "100",
        "--max-concurrent-uploads",
        "3",
    ) == {
        "public_url": "https://pypi.example.org",
        "trusted_proxies": ("10.0.0.0/8", "::1"),
        "header_timeout": 2.5,
        "body_timeout": 30.0,
        "keep_alive_timeout": 7,
        "max_connections": 100,
        "max_concurrent_uploads": 3,
    }


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--public-url", "https://x.example/pypi"], "must be only scheme://host[:port]"),
        (["--trusted-proxy", "proxy.example"], "proxy.example is not an address or network"),
        (["--header-timeout", "0"], "0 is not a number of seconds"),
        (["--body-timeout", "soon"], "soon is not a number of seconds"),
        (["--max-connections", "0"], "0 is not a positive whole number"),
        (["--max-concurrent-uploads", "many"], "many is not a positive whole number"),
    ],
)
def test_bad_values_are_refused(
    args: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve", *args])
    assert exited.value.code == 2
    assert complaint in capsys.readouterr().err
