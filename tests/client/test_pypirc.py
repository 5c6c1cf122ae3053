"""Merging the local index's section into ~/.pypirc, previewing it, writing it 0600."""

from __future__ import annotations

import configparser
import stat
from pathlib import Path

import pytest

from pypidesk.client.pypirc import PypircError, default_path, mask_passwords, merge, plan

VALUES = {"repository": "http://127.0.0.1:8765/legacy/", "username": "__token__"}
SECRET = {**VALUES, "password": "pypi-newsecret"}

EXISTING = """\
[distutils]
index-servers =
    pypi
    private

[pypi]
username = __token__
password = pypi-pypisecret

[private]
repository = https://private.example.org/legacy/
username = me
"""


def read(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    return parser


def test_merge_into_an_empty_file_lists_twines_defaults_and_ours() -> None:
    parser = read(merge("", "pypidesk-local", VALUES))
    assert parser.get("distutils", "index-servers").split() == [
        "pypi",
        "testpypi",
        "pypidesk-local",
    ]
    assert dict(parser["pypidesk-local"]) == VALUES


def test_merge_keeps_other_sections_and_their_order() -> None:
    parser = read(merge(EXISTING, "pypidesk-local", SECRET))
    assert parser.sections() == ["distutils", "pypi", "private", "pypidesk-local"]
    servers = parser.get("distutils", "index-servers").split()
    assert servers == ["pypi", "private", "pypidesk-local"]
    assert parser.get("pypi", "password") == "pypi-pypisecret"
    assert dict(parser["pypidesk-local"]) == SECRET


def test_merge_replaces_our_section_and_does_not_list_it_twice() -> None:
    once = merge(EXISTING, "pypidesk-local", {**SECRET, "stale": "x"})
    twice = merge(once, "pypidesk-local", SECRET)
    parser = read(twice)
    assert dict(parser["pypidesk-local"]) == SECRET
    assert parser.get("distutils", "index-servers").split().count("pypidesk-local") == 1
    assert merge(twice, "pypidesk-local", SECRET) == twice


def test_merge_adds_index_servers_to_a_distutils_without_it() -> None:
    parser = read(merge("[distutils]\n", "pypidesk-local", VALUES))
    assert parser.get("distutils", "index-servers").split()[-1] == "pypidesk-local"


def test_a_broken_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / ".pypirc"
    path.write_text("password = no section header\n")
    with pytest.raises(PypircError, match="not a valid INI file"):
        plan(path, "pypidesk-local", VALUES)


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ".pypirc"
    path.mkdir()
    with pytest.raises(PypircError, match="Cannot read"):
        plan(path, "pypidesk-local", VALUES)


def test_the_preview_masks_every_password(tmp_path: Path) -> None:
    path = tmp_path / ".pypirc"
    path.write_text(EXISTING)
    change = plan(path, "pypidesk-local", SECRET)
    diff = change.diff()
    assert change.exists
    assert change.changed
    assert diff.startswith(f"--- {path}\n+++ {path}\n")
    assert "+[pypidesk-local]\n" in diff
    assert "+password = ********\n" in diff
    assert "pypi-newsecret" not in diff
    assert "pypi-pypisecret" not in diff
    # Nothing is written before write().
    assert path.read_text() == EXISTING


def test_write_creates_the_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "home" / ".pypirc"
    change = plan(path, "pypidesk-local", SECRET)
    assert not change.exists
    assert change.diff().startswith(f"--- /dev/null\n+++ {path}\n")

    change.write()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read(path.read_text()).get("pypidesk-local", "password") == "pypi-newsecret"
    assert not plan(path, "pypidesk-local", SECRET).changed


def test_write_tightens_an_existing_files_mode(tmp_path: Path) -> None:
    path = tmp_path / ".pypirc"
    path.write_text(EXISTING)
    path.chmod(0o644)
    plan(path, "pypidesk-local", SECRET).write()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read(path.read_text()).get("private", "username") == "me"


def test_mask_passwords_keeps_other_lines() -> None:
    assert mask_passwords("a = 1\npassword: x y\n  PASSWORD=z\n") == (
        "a = 1\npassword: ********\n  PASSWORD=********\n"
    )


def test_the_default_path_is_in_the_home_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    assert default_path() == Path("/home/someone/.pypirc")
