"""Tiny real projects in a temp folder, built offline by hatchling (``--no-isolation``)."""

from __future__ import annotations

from pathlib import Path

README = "# {name}\n\nA *tiny* project, built in a test.\n"


def make_project(
    folder: Path,
    name: str = "tiny-demo",
    version: str = "0.1.0",
    *,
    module_body: str = "VALUE = 42\n",
    build_backend: str = "hatchling.build",
    readme: str | None = None,
) -> Path:
    """A buildable project: pyproject.toml (hatchling), README.md, one package."""
    folder.mkdir(parents=True, exist_ok=True)
    package = name.replace("-", "_")
    (folder / "pyproject.toml").write_text(
        f"""[build-system]
requires = ["hatchling"]
build-backend = "{build_backend}"

[project]
name = "{name}"
version = "{version}"
description = "A tiny project"
readme = "README.md"
requires-python = ">=3.8"

[project.scripts]
{name}-hello = "{package}:hello"
"""
    )
    (folder / "README.md").write_text(readme or README.format(name=name))
    (folder / package).mkdir(exist_ok=True)
    (folder / package / "__init__.py").write_text(
        module_body + "\n\ndef hello() -> None:\n    print('hello from " + name + "')\n"
    )
    return folder
