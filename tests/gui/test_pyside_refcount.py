"""Guard against PySide6 6.12.0 on CPython 3.11 (see QT-NOTES.md and pyproject.toml).

That combination drops one reference on every call from C++ into a Python
override of a virtual method; within a few thousand calls the interpreter
aborts with "Fatal Python error: none_dealloc". The check runs in a child
process so that a crash fails this test instead of killing the test run.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap

from packaging.version import Version

CHILD = textwrap.dedent(
    """
    from PySide6.QtCore import QCoreApplication, QEvent, QObject

    class Counting(QObject):
        calls = 0

        def event(self, event):
            Counting.calls += 1
            return None if Counting.calls % 2 else True

    app = QCoreApplication([])
    target = Counting()
    for _ in range(5000):
        QCoreApplication.sendEvent(target, QEvent(QEvent.Type.User))
    print("survived", Counting.calls)
    """
)


def test_overridden_virtuals_do_not_crash_the_interpreter() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "survived 5000"


def test_installed_pyside_is_not_the_crashing_release_on_3_11() -> None:
    installed = Version(importlib.metadata.version("PySide6-Essentials"))
    if sys.version_info < (3, 12):
        assert installed < Version("6.12")
