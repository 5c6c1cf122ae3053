"""Every interactive widget gets a stable objectName and what a screen reader says."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, object_name: str, accessible_name: str) -> W:
    """``widget``, with its objectName (tests, style sheets) and accessibleName set."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)
    return widget
