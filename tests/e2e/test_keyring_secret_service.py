"""The token reaches a real Secret Service keyring (gnome-keyring) and comes back from it.

The test body runs under its own D-Bus session (``dbus-run-session``) with a
gnome-keyring daemon unlocked by a password on stdin, in a private HOME, so
the machine's own keyring is never touched. One process stores the token
through :class:`CredentialStore`, a second one reads and deletes it: what an
app restart does. ``scripts/setup --test`` installs gnome-keyring and dbus.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TOKEN = "pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmFi"  # the shape only; this index never sees it
KEY = "http://127.0.0.1:8000/legacy/"

STORE = f"""
from pypidesk.client.credentials import CredentialStore
store = CredentialStore()
store.set({KEY!r}, "alice", {TOKEN!r})
print("stored", store.session_only)
"""
READ_AND_DELETE = f"""
import keyring
from pypidesk.client.credentials import CredentialStore
print("backend", type(keyring.get_keyring()).__module__)
store = CredentialStore()
print("read", store.get({KEY!r}, "alice"))
store.delete({KEY!r}, "alice")
print("after", store.get({KEY!r}, "alice"), store.session_only)
"""
# gnome-keyring makes the login keyring only from a non-empty password.
SESSION = """
printf 'pypidesk-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$PYTHON" -c "$STORE" && "$PYTHON" -c "$READ_AND_DELETE"
"""


def _tools_or_skip() -> str:
    """The full path of dbus-run-session; skip (fail in CI) when the tools are missing."""
    missing = [
        tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(tool)
    ]
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"CI must have {', '.join(missing)} (scripts/setup --test installs them)")
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: run scripts/setup --test")
    return str(shutil.which("dbus-run-session"))


def test_a_token_survives_in_the_secret_service_keyring(tmp_path: Path) -> None:
    dbus_run_session = _tools_or_skip()
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    for path in (home / ".cache", home / ".local" / "share", runtime):
        path.mkdir(parents=True)
    runtime.chmod(0o700)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DBUS_", "GNOME_KEYRING", "XDG_"))
    }
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
        PYTHON=sys.executable,
        STORE=STORE,
        READ_AND_DELETE=READ_AND_DELETE,
        PYTHONPATH=os.pathsep.join(sys.path),
    )
    result = subprocess.run(
        [dbus_run_session, "--", str(shutil.which("sh")), "-c", SESSION],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "stored False",
        "backend keyring.backends.SecretService",
        f"read {TOKEN}",
        "after None False",
    ], result.stderr
    assert (home / ".local" / "share" / "keyrings").is_dir()
