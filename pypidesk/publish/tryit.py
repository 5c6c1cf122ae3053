"""Try it: a throwaway venv installs the release from the index under test and imports it.

The install runs with no pip configuration at all (no config files, no
``PIP_*`` variables): a user's own ``index-url`` or ``find-links`` would
otherwise install something other than what is on the index under test.
Dependencies stay off by default. Allowing them adds the profile's upstream
(PyPI) as an extra index, which pip merges with the local one: a name that
exists upstream may win over the local one (dependency confusion), so the page
warns before it is switched on.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import sys
from pathlib import Path

from pypidesk.publish.errors import TryItError
from pypidesk.publish.process import LineSink, run_streamed

DEFAULT_UPSTREAM = "https://pypi.org/simple/"
OK_PREFIX = "import ok: "
FAILED_PREFIX = "import failed: "

# Runs inside the throwaway venv: the installed distribution's top-level
# modules, from its RECORD (so sdists count too), each imported in turn.
_IMPORT_CHECK = """
import importlib, importlib.metadata as md, sys
names = set()
for f in md.distribution(sys.argv[1]).files or ():
    top = f.parts[0]
    if top == ".." or top.endswith((".dist-info", ".data")) or top == "__pycache__":
        continue
    if len(f.parts) == 1:
        if not top.endswith((".py", ".so", ".pyd")):
            continue
        top = top.split(".")[0]
    if top.isidentifier():
        names.add(top)
failed = not names
if not names:
    print("no importable module found in the installed files")
for name in sorted(names):
    try:
        importlib.import_module(name)
        print("import ok: " + name)
    except Exception as exc:
        print(f"import failed: {name}: {type(exc).__name__}: {exc}")
        failed = True
sys.exit(1 if failed else 0)
"""


@dataclasses.dataclass(frozen=True, slots=True)
class TryItOptions:
    with_dependencies: bool = False
    upstream_url: str = DEFAULT_UPSTREAM
    #: A command to run in the venv afterwards (``mytool --version``); empty: none.
    command: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class TryItResult:
    imported: tuple[str, ...]
    #: "module: error" for each import that failed.
    failed_imports: tuple[str, ...]
    #: The optional command's exit code (None: no command).
    command_returncode: int | None

    @property
    def ok(self) -> bool:
        return (
            bool(self.imported)
            and not self.failed_imports
            and self.command_returncode
            in (
                None,
                0,
            )
        )


def clean_environment(home: Path) -> dict[str, str]:
    """This process's environment without any pip or virtualenv configuration."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "PYTHON")) and k != "VIRTUAL_ENV"
    }
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    env["HOME"] = str(home)
    return env


def install_command(
    python: Path, index_url: str, requirement: str, options: TryItOptions
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "--no-cache-dir",
        "--index-url",
        index_url,
    ]
    if options.with_dependencies:
        command += ["--extra-index-url", options.upstream_url]
    else:
        command.append("--no-deps")
    return [*command, requirement]


async def try_release(
    index_url: str,
    name: str,
    version: str,
    *,
    workdir: Path,
    on_line: LineSink,
    options: TryItOptions | None = None,
) -> TryItResult:
    """Install ``name==version`` from ``index_url`` into a new venv under ``workdir``, import it.

    Raises TryItError when the venv cannot be made or pip cannot install; a
    failed import or command is a result, not an error.
    """
    options = options or TryItOptions()
    env = clean_environment(workdir)
    venv = workdir / "venv"
    on_line(f"$ python -m venv {venv}")
    made = await run_streamed(
        [sys.executable, "-m", "venv", "--without-pip", "--clear", str(venv)],
        on_line=on_line,
        env=env,
    )
    if made.returncode != 0:
        raise TryItError(f"Could not create a virtual environment in {venv}.")
    python = venv / "bin" / "python"
    command = install_command(python, index_url, f"{name}=={version}", options)
    on_line("$ " + shlex.join(["pip", *command[command.index("install") :]]))
    installed = await run_streamed(command, on_line=on_line, env=env, cwd=workdir)
    if installed.returncode != 0:
        raise TryItError(
            f"pip could not install {name} {version} from {index_url}: "
            + (installed.tail[-1] if installed.tail else "no output")
        )
    lines: list[str] = []

    def keep(line: str) -> None:
        lines.append(line)
        on_line(line)

    await run_streamed(
        [str(python), "-c", _IMPORT_CHECK, name], on_line=keep, env=env, cwd=workdir
    )
    imported = tuple(line.removeprefix(OK_PREFIX) for line in lines if line.startswith(OK_PREFIX))
    failed = tuple(
        line.removeprefix(FAILED_PREFIX) for line in lines if line.startswith(FAILED_PREFIX)
    )
    returncode = None
    if options.command.strip():
        returncode = await run_command(options.command, venv, env, workdir, on_line)
    return TryItResult(imported, failed, returncode)


async def run_command(
    command: str, venv: Path, env: dict[str, str], workdir: Path, on_line: LineSink
) -> int:
    """The user's command with the venv first on PATH, as if it were activated."""
    args = shlex.split(command)
    on_line("$ " + command)
    env = {**env, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}"}
    executable = venv / "bin" / args[0]
    if executable.exists():
        args[0] = str(executable)
    try:
        finished = await run_streamed(args, on_line=on_line, env=env, cwd=workdir)
    except OSError as exc:
        on_line(f"Could not run {args[0]}: {exc}")
        return 127
    return finished.returncode
