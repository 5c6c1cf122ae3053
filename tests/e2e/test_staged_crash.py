"""SIGKILL of a ``pypidesk serve`` child in the middle of a publish, then a restart.

The release is then either wholly published or wholly staged, and publishing
again completes it (or, if it was published, is refused as already done).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.e2e.upload_helpers import Accounts
from tests.index.staging.live import ROOT_PATH
from tests.index.staging.pep694_client import Client, Reply
from tests.index.upload.dists import make_sdist, make_wheel

pytestmark = pytest.mark.e2e

HALT_HOOK = Path(__file__).parent / "publish_halt"


def _publish_in_background(client: Client, url: str) -> threading.Thread:
    def publish() -> None:
        with contextlib.suppress(OSError):  # the server is killed under the request
            client.post(url)

    thread = threading.Thread(target=publish)
    thread.start()
    return thread


@pytest.mark.parametrize("point", ["before-commit", "after-commit"])
def test_sigkill_during_publish_then_restart(
    point: str, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = Accounts(data_dir)
    accounts.user("alice")
    client = Client(accounts.token("alice", "ci"))
    accounts.close()
    fifo = tmp_path / "halted"
    os.mkfifo(fifo)
    with monkeypatch.context() as patched:
        patched.setenv("PYTHONPATH", f"{HALT_HOOK}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
        patched.setenv("PYPIDESK_TEST_PUBLISH_HALT", point)
        patched.setenv("PYPIDESK_TEST_PUBLISH_FIFO", str(fifo))
        server = LiveServer(data_dir)
    server.wait_healthy()
    session = client.create(server.url + ROOT_PATH, "tiny-pkg", "1.0").json
    dists = [make_wheel(), make_sdist()]
    for dist in dists:
        client.upload(session, dist.filename, dist.data)
    publishing = _publish_in_background(client, session["links"]["publish"])
    with fifo.open() as halted:  # returns once the child stands at the point
        assert halted.read() == point
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    server.stop()
    publishing.join()

    restarted = LiveServer(data_dir)
    try:
        restarted.wait_healthy()

        def url(link: str) -> str:
            return link.replace(server.url, restarted.url)

        def simple() -> Reply:
            return client.get(restarted.url + "/simple/tiny-pkg/")

        status = client.get(url(session["links"]["session"])).json["status"]
        if point == "before-commit":
            assert status == "open"
            assert simple().status == 404
            stage = client.get(url(session["links"]["stage"]) + "tiny-pkg/").body.decode()
            assert all(d.filename in stage for d in dists)
            again = client.post(url(session["links"]["publish"]))
            assert again.status == 201, again.body
        else:
            assert status == "published"
            assert client.post(url(session["links"]["publish"])).status == 409
        page = simple().body.decode()
        for dist in dists:
            assert dist.filename in page
            href = page.split('href="')[1:]
            link = next(h.split("#")[0] for h in href if dist.filename in h.split('"')[0])
            assert client.get(link).body == dist.data
        assert not list((data_dir / "packages" / ".tmp").glob("*.file.*"))
    finally:
        restarted.stop()
