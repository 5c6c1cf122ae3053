"""Running the real pip and uv against a test index, isolated from this machine's config.

These machines set ``PIP_FIND_LINKS`` and a global pip config; an install that
reads them might not come from the index under test at all (QT-NOTES.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
UV = shutil.which("uv", path=str(VENV_BIN)) or "uv"


def clean_env(home: Path, *, keep_pythonpath: bool = False) -> dict[str, str]:
    """An environment with no pip/uv/twine configuration and private HOME and caches.

    The children run installed tools, not this worktree's code, so PYTHONPATH
    goes too, unless ``keep_pythonpath`` (a child that runs a module of this
    test suite, tests.e2e.twine_patched). Their Python warnings are not part
    of the output the tests read.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "UV_", "TWINE_", "COV_", "COVERAGE_"))
        and (keep_pythonpath or key != "PYTHONPATH")
    }
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        UV_NO_CONFIG="1",
        UV_CACHE_DIR=str(home / "uv-cache"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "config"),
        PYTHONWARNINGS="ignore",
    )
    return env


def run(args: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    """Run a command; on failure, fail with its output so the test log says why."""
    result = subprocess.run(
        args, check=False, env=env, capture_output=True, text=True, cwd=cwd, timeout=100
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout + result.stderr


def fresh_venv(path: Path, env: dict[str, str]) -> Path:
    """A new, empty virtual environment (uv creates one in milliseconds); its python."""
    run([UV, "venv", "--quiet", "--python", sys.executable, str(path)], env)
    return path / "bin" / "python"


def pip(python: Path, env: dict[str, str], *args: str) -> str:
    """The real pip of the test venv's interpreter, acting on ``python``'s environment."""
    return run(
        [sys.executable, "-m", "pip", "--python", str(python), "--no-cache-dir", *args], env
    )


def uv_pip(python: Path, env: dict[str, str], *args: str) -> str:
    return run([UV, "pip", *args, "--python", str(python), "--no-cache"], env)
