"""The upload endpoint over real HTTP: routing, refusals, concurrency and crash safety."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from pypidesk.index.db.models import AdminFlag, File, JournalEntry, Project
from tests.conftest import LiveServer
from tests.e2e.upload_helpers import Accounts
from tests.index.upload.dists import Dist, make_wheel

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(data_dir: Path) -> Iterator[Accounts]:
    accounts = Accounts(data_dir)
    accounts.user("alice")
    yield accounts
    accounts.close()


def post(url: str, dist: Dist, token: str | None, **overrides: str | None) -> httpx.Response:
    data = dist.form(**overrides)
    headers = {"Authorization": f"token {token}"} if token else {}
    return httpx.post(
        url + "/legacy/",
        data=data,  # type: ignore[arg-type]
        files={"content": (dist.filename, dist.data, "application/octet-stream")},
        headers=headers,
        timeout=60,
    )


def raw_status_line(
    server: LiveServer, fields: dict[str, list[str]], dist: Dist, token: str
) -> bytes:
    """The response's status line as bytes (httpx drops non-ASCII reason phrases)."""
    request = httpx.Request(
        "POST",
        server.url + "/legacy/",
        data=fields,
        files={"content": (dist.filename, dist.data, "application/octet-stream")},
    )
    body = request.read()
    head = (
        f"POST /legacy/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: {request.headers['content-type']}\r\n"
        f"Authorization: token {token}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(head + body)
        reply = b""
        while b"\r\n" not in reply:
            reply += connection.recv(4096)
    return reply.partition(b"\r\n")[0]


def stored_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "packages").rglob("*") if p.is_file())


def counts(people: Accounts) -> tuple[int, int, int]:
    with people.database.read() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (Project, File, JournalEntry)
        )


def test_routing_and_retired_actions(live_server: LiveServer, people: Accounts) -> None:
    url = live_server.url
    redirect = httpx.post(url + "/legacy", data={":action": "file_upload"})
    assert redirect.status_code == 308
    assert redirect.reason_phrase == (
        "An upload was attempted to /legacy but the expected upload URL is /legacy/ "
        "(with a trailing slash)"
    )
    assert redirect.headers["location"] == url + "/legacy/"
    assert "Upload" in httpx.get(url + "/legacy/").text
    for action, text in [
        (
            "submit",
            "Project pre-registration is no longer required or supported, upload your files "
            "instead.",
        ),
        (
            "doc_upload",
            "Uploading documentation is no longer supported, we recommend using "
            "https://readthedocs.org/.",
        ),
    ]:
        gone = httpx.post(url + "/legacy/", data={":action": action})
        assert (gone.status_code, gone.reason_phrase) == (410, text)
        assert text in gone.text
    gone = httpx.post(url + "/legacy/?:action=submit_pkg_info", content=b"")
    assert gone.status_code == 410
    help_page = httpx.post(url + "/legacy/", data={"name": "x"})
    assert (help_page.status_code, "Upload" in help_page.text) == (200, True)


def test_refusals_store_nothing(live_server: LiveServer, people: Accounts) -> None:
    wheel = make_wheel()
    token = people.token("alice", "ci")
    anonymous = post(live_server.url, wheel, None)
    assert anonymous.status_code == 403
    assert anonymous.reason_phrase.startswith("Invalid or non-existent authentication")
    tuple_field = httpx.post(
        live_server.url + "/legacy/",
        data={":action": "file_upload"},
        files={"summary": ("s.txt", b"x", "text/plain")},
        headers={"Authorization": f"token {token}"},
    )
    assert (tuple_field.status_code, tuple_field.reason_phrase) == (
        400,
        "summary: Should not be a tuple.",
    )
    broken = httpx.post(
        live_server.url + "/legacy/?:action=file_upload",
        content=b"--b\r\nno colon here\r\n\r\n",
        headers={
            "Authorization": f"token {token}",
            "Content-Type": "multipart/form-data; boundary=b",
        },
    )
    assert (broken.status_code, broken.reason_phrase) == (
        400,
        "The form is not valid multipart/form-data.",
    )
    status_line = raw_status_line(live_server, wheel.form(name="caf\u00e9\u2603"), wheel, token)
    # PyPI's reason phrases are ISO-8859-1, with "?" for what does not fit.
    assert status_line.startswith(b"HTTP/1.1 400 'caf\xe9?' is an invalid value for Name.")
    with people.database.write() as session:
        session.add(AdminFlag(id="read-only", enabled=True))
    read_only = post(live_server.url, wheel, token)
    assert (read_only.status_code, read_only.reason_phrase) == (
        403,
        "Read-only mode: Uploads are temporarily disabled.",
    )
    assert counts(people) == (0, 0, 0)
    assert stored_files(live_server.data_dir) == []


def test_eight_concurrent_identical_uploads(live_server: LiveServer, people: Accounts) -> None:
    wheel = make_wheel(payload=os.urandom(200_000))
    token = people.token("alice", "ci")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: post(live_server.url, wheel, token), range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    with people.database.read() as session:
        files = session.scalars(select(File)).all()
        adds = session.scalars(
            select(JournalEntry.action).where(JournalEntry.action.startswith("add py3"))
        ).all()
    assert len(files) == 1
    assert adds == [f"add py3 file {wheel.filename}"]
    stored = stored_files(live_server.data_dir)
    assert [p.name for p in stored] == [wheel.filename, wheel.filename + ".metadata"]
    assert stored[0].read_bytes() == wheel.data


def test_sigkill_mid_upload_leaves_nothing_and_retry_succeeds(
    data_dir: Path, people: Accounts
) -> None:
    token = people.token("alice", "ci")
    wheel = make_wheel(payload=os.urandom(8 * 1024 * 1024))
    server = LiveServer(data_dir)
    server.wait_healthy()
    request = httpx.Request(
        "POST",
        server.url + "/legacy/",
        data=wheel.form(),
        files={"content": (wheel.filename, wheel.data, "application/octet-stream")},
        headers={"Authorization": f"token {token}"},
    )
    body = request.read()
    head = (
        f"POST /legacy/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {request.headers['content-type']}\r\n"
        f"Authorization: token {token}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(head + body[: len(body) // 2])
        time.sleep(1.0)  # the server is now streaming the file into storage
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
    server.stop()
    assert counts(people) == (0, 0, 0)
    assert stored_files(data_dir) == []
    restarted = LiveServer(data_dir)
    try:
        restarted.wait_healthy()
        assert stored_files(data_dir) == []
        assert post(restarted.url, wheel, token).status_code == 200
        assert counts(people)[1] == 1
        assert [p.name for p in stored_files(data_dir)] == [
            wheel.filename,
            wheel.filename + ".metadata",
        ]
    finally:
        restarted.stop()
