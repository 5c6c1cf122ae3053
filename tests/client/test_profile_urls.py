"""A profile's base URL and keyring key, for the index URLs people type."""

from __future__ import annotations

from pypidesk.client.profiles import PYPI, Profile


def test_base_url_of_an_index_url_without_simple() -> None:
    profile = Profile("devpi", "http://h:3141/root/pypi/+simple", "http://h:3141/root/dev/")
    assert profile.base_url == "http://h:3141/root/pypi/+simple/"
    assert profile.key == "http://h:3141/root/dev/"


def test_base_url_of_pypi() -> None:
    assert PYPI.base_url == "https://pypi.org/"
    assert PYPI.key == "https://upload.pypi.org/legacy/"
