"""The look: the platform's own style and palette, Fusion where the platform has none.

Qt 6.5+ follows the system's light or dark scheme (``QStyleHints.colorScheme``)
with the native styles and with Fusion; the bare "windows" fallback style a
plain X11 session gets does not, so it is replaced by Fusion.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QStyleFactory

# Styles Qt falls back to when no platform theme offers one.
BARE_STYLES = {"windows"}


def apply_style(app: QApplication) -> str:
    """Pick the style; returns its name (logged at start-up)."""
    name = app.style().name().lower()
    if name in BARE_STYLES:
        app.setStyle(QStyleFactory.create("Fusion"))
        name = "fusion"
    return name


def is_dark(app: QApplication) -> bool:
    from PySide6.QtCore import Qt  # noqa: PLC0415 - the Qt namespace is slow to build

    return app.styleHints().colorScheme() is Qt.ColorScheme.Dark
