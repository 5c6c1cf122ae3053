"""Files the app loads at run time (icons), from a wheel or from a source checkout."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

_PACKAGE = Path(__file__).resolve().parents[1]
# A wheel carries them as pypidesk/resources (pyproject's force-include); a
# checkout or an editable install has them in the repository's resources/.
_CANDIDATES = (_PACKAGE / "resources", _PACKAGE.parent / "resources")


def resource_path(name: str) -> Path:
    """Where resource ``name`` is; FileNotFoundError if the install lacks it."""
    for directory in _CANDIDATES:
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(f"pypidesk resource {name!r} is missing from this installation")


def app_icon() -> QIcon:
    return QIcon(str(resource_path("pypidesk.svg")))


def icon(name: str, theme_name: str | None = None) -> QIcon:
    """The desktop theme's icon ``theme_name`` where it has one, else ``resources/<name>.svg``."""
    own = QIcon(str(resource_path(f"{name}.svg")))
    return QIcon.fromTheme(theme_name, own) if theme_name else own
