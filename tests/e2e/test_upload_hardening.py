"""Issue 12, part A, reproduced against a live ``serve``: bounded work per upload.

Each hostile upload is built in the test and must be answered within 3 s
with a clear 400, leave nothing behind, and keep the server's peak resident
memory (``VmHWM`` of the ``serve`` process) under 300 MB. Before the fix the
description froze every request for 17 s, the tar and zip bombs made the
server allocate a GiB and more, a long name answered 500 after its commit,
and the records were world-readable.
"""

from __future__ import annotations

import concurrent.futures
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SQLITE_FILE, LiveServer
from tests.e2e.test_upload_server import counts, post, stored_files
from tests.e2e.upload_helpers import Accounts
from tests.index.upload import hostile
from tests.index.upload.dists import Dist, make_wheel
from tests.index.upload.test_renderer import DEEP_RST, SLOW_MARKDOWN

pytestmark = pytest.mark.e2e

ANSWER_WITHIN = 3.0
READ_WITHIN = 1.0
PEAK_RSS_BELOW = 300 * 1024 * 1024
ARCHIVES_HELP = "See https://docs.pypi.org/archives for more information."


@pytest.fixture
def quick_server(data_dir: Path) -> Iterator[LiveServer]:
    """A server whose renders may take 1 s: the hostile one is stopped well within 3 s."""
    server = LiveServer(data_dir, ["--description-render-timeout", "1"])
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture
def people(data_dir: Path) -> Iterator[Accounts]:
    accounts = Accounts(data_dir)
    accounts.user("alice")
    yield accounts
    accounts.close()


def peak_rss(server: LiveServer) -> int:
    """The ``serve`` process's peak resident set size, in bytes."""
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    [line] = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) * 1024


def timed_post(server: LiveServer, dist: Dist, token: str, **fields: str) -> httpx.Response:
    started = time.monotonic()
    response = post(server.url, dist, token, **fields)
    elapsed = time.monotonic() - started
    assert elapsed < ANSWER_WITHIN, f"answered after {elapsed:.1f} s: {response.reason_phrase}"
    return response


def test_a_slow_description_is_stopped_and_holds_up_no_read(
    quick_server: LiveServer, people: Accounts
) -> None:
    live_server = quick_server
    token = people.token("alice", "ci")
    # A first project, which also starts the render child.
    assert post(live_server.url, make_wheel("other"), token).status_code == 200
    wheel = make_wheel()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        upload = pool.submit(
            timed_post,
            live_server,
            wheel,
            token,
            description=SLOW_MARKDOWN,
            description_content_type="text/markdown",
        )
        reads = 0
        while not upload.done():
            started = time.monotonic()
            page = httpx.get(live_server.url + "/simple/other/", timeout=30)
            assert page.status_code == 200
            assert time.monotonic() - started < READ_WITHIN
            reads += 1
        response = upload.result()
    assert reads > 1
    assert (response.status_code, response.reason_phrase) == (
        400,
        "The description took longer than 1 s to render. Simplify it, or ask the index's "
        "administrator to raise --description-render-timeout.",
    )
    nested = timed_post(live_server, wheel, token, description=DEEP_RST)
    assert nested.status_code == 400
    # Half a second's render on an idle machine; on a crowded one it may run out of time.
    assert nested.reason_phrase in (
        "The description failed to render in the default format of reStructuredText. "
        "See https://pypi.org/help/#description-content-type for more information.",
        response.reason_phrase,
    )
    huge = timed_post(live_server, wheel, token, description="x" * (1024 * 1024 + 1))
    assert huge.status_code == 400
    assert huge.reason_phrase.startswith("The description is too large: 1048577 bytes")
    assert counts(people)[1] == 1  # only the first project's file
    assert peak_rss(live_server) < PEAK_RSS_BELOW


def render_children(server: LiveServer) -> list[str]:
    """Command lines of the ``serve`` process's description renderers."""
    found = []
    for task in Path(f"/proc/{server.process.pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"render_worker" in command:
                found.append(command.decode())
    return found


def test_a_client_that_may_not_upload_gets_no_render(
    quick_server: LiveServer, people: Accounts
) -> None:
    """A small upload's description is rendered only after its credentials passed.

    A render starts a renderer child, which stays (a slow one's is killed, so
    the description here renders at once).
    """
    for token in (None, "pypi-not-a-token"):
        refused = post(
            quick_server.url,
            make_wheel(),
            token,
            description="# Hello",
            description_content_type="text/markdown",
        )
        assert refused.status_code == 403
    assert render_children(quick_server) == []
    allowed = post(quick_server.url, make_wheel(), people.token("alice", "ci"), description="# Hi")
    assert allowed.status_code == 200
    assert len(render_children(quick_server)) == 1


@pytest.mark.parametrize("kind", [b"x", b"L"], ids=["pax", "gnu-long-name"])
def test_a_tar_header_declaring_1000_mib(
    kind: bytes, live_server: LiveServer, people: Accounts
) -> None:
    token = people.token("alice", "ci")
    sdist = hostile.extended_header_sdist(kind, 1000)
    assert len(sdist.data) < 2 * hostile.MIB
    response = timed_post(live_server, sdist, token)
    assert (response.status_code, response.reason_phrase) == (
        400,
        "Invalid distribution file. tar archive not accepted: An extended header of "
        f"1048576000 bytes is larger than the 256 KiB allowed. {ARCHIVES_HELP}",
    )
    assert peak_rss(live_server) < PEAK_RSS_BELOW
    assert counts(people) == (0, 0, 0)
    assert stored_files(live_server.data_dir) == []


def test_a_zip_entry_lying_about_its_size(live_server: LiveServer, people: Accounts) -> None:
    token = people.token("alice", "ci")
    wheel = hostile.lying_metadata_wheel(1000)
    response = timed_post(live_server, wheel, token)
    assert (response.status_code, response.reason_phrase) == (
        400,
        "Invalid distribution file. ZIP archive not accepted: tiny_pkg-1.0.dist-info/METADATA "
        f"does not match the size and checksum its entry records. {ARCHIVES_HELP}",
    )
    assert peak_rss(live_server) < PEAK_RSS_BELOW
    assert counts(people) == (0, 0, 0)
    assert stored_files(live_server.data_dir) == []


def test_names_and_filenames_too_long_to_store(live_server: LiveServer, people: Accounts) -> None:
    token = people.token("alice", "ci")
    long_project = make_wheel("a" * 300)
    response = timed_post(live_server, long_project, token)
    assert (response.status_code, response.reason_phrase) == (
        400,
        f"'{'a' * 30}...{'a' * 30}' is an invalid value for Name. Error: Use at most 227 "
        "characters. See https://packaging.python.org/specifications/core-metadata for more "
        "information.",
    )
    longest = "a" * 227
    too_long = make_wheel(longest, "1.0")  # 248 bytes: no room for ".metadata"
    response = timed_post(live_server, too_long, token)
    assert (response.status_code, response.reason_phrase) == (
        400,
        f"Filename is too long: {too_long.filename!r}",
    )
    assert counts(people) == (0, 0, 0)
    assert stored_files(live_server.data_dir) == []
    fits = make_wheel(longest, "0")
    assert len(fits.filename + ".metadata") == 255
    assert timed_post(live_server, fits, token).status_code == 200
    detail = httpx.get(
        f"{live_server.url}/simple/{longest}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    ).json()
    [file] = detail["files"]
    assert file["core-metadata"]
    assert httpx.get(file["url"]).content == fits.data
    assert httpx.get(file["url"] + ".metadata").status_code == 200
    # The same name can be uploaded again, as the identical no-op.
    assert timed_post(live_server, fits, token).status_code == 200


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_dir_and_its_records_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"  # the server's log goes beside it
    server = LiveServer(data_dir)
    try:
        server.wait_healthy()
        records = data_dir / SQLITE_FILE
        assert mode(data_dir) == 0o700
        companions = [Path(f"{records}{suffix}") for suffix in ("", "-wal", "-shm")]
        assert all(path.exists() for path in companions)
        assert [mode(path) for path in companions] == [0o600] * 3
    finally:
        server.stop()


def test_open_records_are_tightened_at_start_with_a_warning(data_dir: Path) -> None:
    accounts = Accounts(data_dir)  # records made before, with the usual umask
    accounts.close()
    records = data_dir / SQLITE_FILE
    records.chmod(0o644)
    data_dir.chmod(0o755)
    server = LiveServer(data_dir)
    try:
        server.wait_healthy()
        assert mode(records) == 0o600
        assert mode(data_dir) == 0o755  # the operator's choice, reported
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert f"{records} had mode 0644, readable by other local users; it is now 0600." in log
    assert f"The data dir {data_dir} has mode 0755" in log
