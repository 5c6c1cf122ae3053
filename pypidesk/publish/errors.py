"""The publish steps' exceptions; each message says what happened and what to do.

PublishError
├── NotAProjectError      the folder has no pyproject.toml or setup.py
├── BuildFailedError      pypa build exited non-zero (carries the log's last lines)
├── InvalidDistError      a file twine cannot read as a distribution
├── ChangedFileError      a file's bytes changed since it was checked (promote)
├── UploadRefusedError    the index refused a file (its own words, and a hint)
└── TryItError            the throwaway venv could not be made or installed into
"""

from __future__ import annotations

from pathlib import Path


class PublishError(Exception):
    """Base of every error the publish steps raise on purpose."""


class NotAProjectError(PublishError):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(
            f"{folder} is not a Python project: it has neither pyproject.toml nor setup.py. "
            "Choose the folder that holds your project's pyproject.toml, or drop built "
            "files (.whl, .tar.gz) on the window."
        )


class BuildFailedError(PublishError):
    """``python -m build`` failed; :attr:`log_tail` holds the last lines of its output."""

    def __init__(self, returncode: int, log_tail: list[str]) -> None:
        self.returncode = returncode
        self.log_tail = log_tail
        super().__init__(
            f"The build failed (exit code {returncode}). Check the build-system table in "
            "pyproject.toml and that its backend can be installed (or is installed, for a "
            "build without isolation); the last lines of the log say more."
        )


class InvalidDistError(PublishError):
    def __init__(self, filename: str, reason: str) -> None:
        self.filename = filename
        self.reason = reason
        super().__init__(f"{filename} is not a distribution an index accepts: {reason}")


class ChangedFileError(PublishError):
    def __init__(self, filename: str) -> None:
        self.filename = filename
        super().__init__(
            f"{filename} changed on disk since it was checked. Check the files again "
            "before sending them anywhere."
        )


class UploadRefusedError(PublishError):
    """The index refused ``filename``: :attr:`message` is its text, :attr:`hint` the next step."""

    def __init__(self, filename: str, status_code: int, message: str, hint: str) -> None:
        self.filename = filename
        self.status_code = status_code
        self.message = message
        self.hint = hint
        super().__init__(f"The index refused {filename} ({status_code}): {message}")


class TryItError(PublishError):
    """Making the throwaway environment or installing into it failed."""
