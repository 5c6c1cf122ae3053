"""The desktop app's settings: typed accessors over one QSettings, declared in one place."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from pypidesk.paths import default_data_dir


class AppSettings:
    """Typed view of the app's QSettings; the only code that knows the keys."""

    LOCAL_INDEX_DATA_DIR = "local_index/data_dir"
    WINDOW_GEOMETRY = "main_window/geometry"

    def __init__(self, qsettings: QSettings) -> None:
        self._qsettings = qsettings

    @property
    def local_index_data_dir(self) -> Path:
        """Where the local index keeps its files; ``pypidesk serve``'s default too."""
        value = self._qsettings.value(self.LOCAL_INDEX_DATA_DIR)
        return Path(str(value)) if value else default_data_dir()

    @local_index_data_dir.setter
    def local_index_data_dir(self, path: Path) -> None:
        self._qsettings.setValue(self.LOCAL_INDEX_DATA_DIR, str(path))

    @property
    def window_geometry(self) -> QByteArray | None:
        value = self._qsettings.value(self.WINDOW_GEOMETRY)
        return value if isinstance(value, QByteArray) else None

    @window_geometry.setter
    def window_geometry(self, geometry: QByteArray) -> None:
        self._qsettings.setValue(self.WINDOW_GEOMETRY, geometry)

    def sync(self) -> None:
        self._qsettings.sync()
