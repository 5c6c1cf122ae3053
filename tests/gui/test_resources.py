"""Run-time resources are found in a source checkout, and a missing one says so."""

from __future__ import annotations

import pytest

from pypidesk.gui.resources import app_icon, resource_path


def test_the_app_icon_loads(qapp: object) -> None:
    assert resource_path("pypidesk.svg").read_text().startswith("<svg")
    icon = app_icon()
    assert not icon.isNull()
    assert not icon.pixmap(32, 32).isNull()


def test_a_missing_resource_is_named() -> None:
    with pytest.raises(FileNotFoundError, match=r"'nothing\.png' is missing"):
        resource_path("nothing.png")


@pytest.mark.parametrize(
    "name", ["page-local-index", "page-projects", "refresh", "help", "profiles"]
)
def test_every_icon_the_window_uses_renders(qapp: object, name: str) -> None:
    from pypidesk.gui.resources import icon

    assert not icon(name).pixmap(24, 24).isNull()
    # A theme name the desktop lacks falls back to our own drawing.
    assert not icon(name, "pypidesk-no-such-theme-icon").pixmap(24, 24).isNull()
