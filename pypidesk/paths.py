"""Where pypidesk keeps its files when nobody says otherwise.

Shared by the server CLI and the desktop app (it imports neither Qt nor the
server), so that ``pypidesk serve`` with no ``--data-dir`` and the app's local
index agree on one place.
"""

from __future__ import annotations

from pathlib import Path

# platformdirs is imported where a default place is asked for: the app run with
# --config-dir (and its cold start to the first paint) never needs it.

APP_NAME = "pypidesk"

# The app's local index listens here unless the user picks another port: a
# fixed address keeps the lines pasted into pip, uv and ~/.pypirc valid from
# one run to the next, which a random free port would not. 0 means "any free port".
DEFAULT_LOCAL_PORT = 8765


def default_data_dir() -> Path:
    """The per-user data directory (``~/.local/share/pypidesk`` on Linux)."""
    import platformdirs  # noqa: PLC0415 - see the imports

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_log_dir() -> Path:
    """The per-user log directory (``~/.local/state/pypidesk/log`` on Linux)."""
    import platformdirs  # noqa: PLC0415 - see the imports

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
