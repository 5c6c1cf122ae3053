"""Walk a widget tree and list interactive widgets without an objectName or accessibleName."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTextEdit,
    QWidget,
)

INTERACTIVE = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)


def _qt_internal(widget: QWidget) -> bool:
    """Parts Qt builds inside its own widgets (scroll bars, a toolbar's extension button)."""
    if widget.objectName().startswith("qt_"):
        return True
    if isinstance(widget, QScrollBar):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox):
            return True  # a combo's popup list, a spin box's line edit
        if parent.objectName().startswith("qt_") and not isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_widgets(root: QWidget) -> list[str]:
    """A line per interactive widget under ``root`` (itself included) missing either name."""
    problems = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or _qt_internal(widget):
            continue
        missing = [
            what
            for what, value in (
                ("objectName", widget.objectName()),
                ("accessibleName", widget.accessibleName()),
            )
            if not value
        ]
        if missing:
            label = getattr(widget, "text", lambda: "")()
            kind = type(widget).__name__
            problems.append(f"{kind} {widget.objectName()!r} {label!r}: no {', '.join(missing)}")
    return problems
