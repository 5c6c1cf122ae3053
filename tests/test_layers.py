"""DESIGN.md's layers hold: index and client never load Qt, gui never loads index.

The server, the admin commands among it (``pypidesk.index.admin``), must deploy
on a machine without Qt or the desktop app, so every module under
``pypidesk/index/`` is checked twice: what it names in its imports, and what
actually ends up loaded when all of them are imported in a fresh interpreter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pypidesk"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


FORBIDDEN = {
    "index": ("PySide6", "qasync", "pypidesk.client", "pypidesk.gui"),
    "client": ("PySide6", "qasync", "pypidesk.gui", "pypidesk.index"),
    "gui": ("pypidesk.index",),
    # The publish steps sit beside the client: no Qt, no server.
    "publish": ("PySide6", "qasync", "pypidesk.gui", "pypidesk.index"),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    offenders = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module in imported_modules(path):
            if module.startswith(FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offenders == []


def test_serving_never_loads_qt() -> None:
    """`pypidesk serve` must run on a server with no Qt libraries."""
    code = (
        "import sys, pypidesk.cli, pypidesk.index.app;"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'qasync'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def server_modules() -> list[str]:
    """Every module of pypidesk/index/ by dotted name, except alembic's migration scripts.

    Those run only inside alembic's loader (they need its ``context``), which
    :func:`pypidesk.index.db.migrate.upgrade` imports when it runs.
    """
    root = PACKAGE / "index"
    names = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        names.append(".".join(parts))
    return names


def test_the_admin_commands_are_server_modules() -> None:
    assert {"pypidesk.index.admin.cli", "pypidesk.index.admin.commands"} <= set(server_modules())


def test_no_server_module_loads_qt_or_the_desktop_app() -> None:
    """Importing all of the server, admin commands included, loads no Qt, client or gui."""
    code = (
        "import importlib, sys\n"
        f"for name in {server_modules()!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith("
        "('PySide6', 'qasync', 'pypidesk.client', 'pypidesk.gui'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
