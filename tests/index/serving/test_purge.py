"""Purging caching proxies after a write: what is sent, retries, a write never waits long."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from pypidesk.index.app import create_app
from pypidesk.index.db.engine import Database
from pypidesk.index.read.surrogate import keys_of, paths_of
from pypidesk.index.records import journal
from pypidesk.index.records.changes import ChangedProject
from pypidesk.index.serving.purge import Purger, key_requests, path_requests
from pypidesk.index.settings import ServerSettings
from tests.index import factories
from tests.index.serving.purge_recorder import PurgeRecorder

DEMO = ChangedProject("Demo.Pkg", "demo-pkg", "2.0")
NEW = ChangedProject("fresh", "fresh", "1.0", listing=True)
ROLE = ChangedProject("Demo.Pkg", "demo-pkg")


@pytest.fixture
def recorder() -> Iterator[PurgeRecorder]:
    running = PurgeRecorder()
    yield running
    running.close()


def test_keys_name_each_changed_project_and_the_listing_when_it_changed() -> None:
    assert keys_of([DEMO]) == ["project/demo-pkg"]
    assert keys_of([DEMO, NEW, ROLE]) == ["project/demo-pkg", "all-projects", "project/fresh"]


def test_paths_are_the_canonical_pages_of_each_change() -> None:
    assert paths_of([DEMO]) == [
        "/simple/demo-pkg/",
        "/pypi/demo-pkg/json",
        "/pypi/demo-pkg/2.0/json",
        "/project/Demo.Pkg/",
    ]
    assert paths_of([ROLE, NEW])[:3] == [
        "/simple/demo-pkg/",
        "/pypi/demo-pkg/json",
        "/project/Demo.Pkg/",
    ]
    assert paths_of([NEW])[0] == "/simple/"


def test_a_key_purge_is_one_request_with_every_key() -> None:
    (request,) = key_requests("http://proxy/", [DEMO, NEW])
    assert (request.method, request.url) == ("PURGE", "http://proxy/")
    assert dict(request.headers) == {
        "Surrogate-Key": "project/demo-pkg all-projects project/fresh"
    }
    assert request.accepted == {200}


def test_a_path_purge_names_every_variant_the_proxy_keeps() -> None:
    requests = path_requests("http://proxy/_purge/", [ROLE])
    urls = [r.url for r in requests]
    # Simple pages in each of their three formats; the others have one.
    assert urls.count("http://proxy/_purge/simple/demo-pkg/") == 3
    assert urls.count("http://proxy/_purge/pypi/demo-pkg/json") == 1
    simple = [dict(r.headers) for r in requests if "/simple/" in r.url]
    assert [h["Accept"] for h in simple] == [
        "text/html",
        "application/vnd.pypi.simple.v1+html",
        "application/vnd.pypi.simple.v1+json",
    ]
    # Not cached is as good as purged.
    assert all(r.accepted == {200, 404} for r in requests)


def test_the_write_returns_once_the_proxy_has_purged(recorder: PurgeRecorder) -> None:
    # However loaded the machine, this waits for every request.
    purger = Purger([recorder.url + "/"], [recorder.url + "/_purge"], wait=30)
    try:
        purger.after_commit([DEMO])
        received = list(recorder.received)  # no waiting: it is all there already
    finally:
        purger.close()
    assert received[0].method == "PURGE"
    assert received[0].headers["Surrogate-Key"] == "project/demo-pkg"
    assert {r.path for r in received[1:]} == {
        "/_purge/simple/demo-pkg/",
        "/_purge/pypi/demo-pkg/json",
        "/_purge/pypi/demo-pkg/2.0/json",
        "/_purge/project/Demo.Pkg/",
    }
    assert len(received) == 1 + 3 + 3


def test_nothing_to_purge_sends_nothing(recorder: PurgeRecorder) -> None:
    purger = Purger([recorder.url])
    idle = Purger()
    try:
        assert purger.submit([]).done()
        assert idle.submit([DEMO]).done()
    finally:
        purger.close()
        idle.close()
    assert recorder.received == []


def test_a_failed_purge_is_retried_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    recorder = PurgeRecorder(iter([503, 500]))
    purger = Purger([recorder.url], retry_delays=(0.01, 0.01))
    try:
        with caplog.at_level(logging.INFO, "pypidesk.index.purge"):
            purger.after_commit([DEMO])  # the write goes on after the failed first try
            assert len(recorder.wait_for(3)) == 3
            # The thread is free again once the retry has finished: the next
            # purge's first attempt is its proof.
            purger.submit([NEW]).result(timeout=10)
    finally:
        purger.close()
        recorder.close()
    messages = [r.getMessage() for r in caplog.records]
    assert "purge failed (HTTP 503)" in messages[0]
    assert "retrying in 0.01 s" in messages[0]
    assert "purge failed (HTTP 500)" in messages[1]
    assert messages[2] == "purge succeeded at attempt 3"


def test_a_purge_is_given_up_after_its_retries(caplog: pytest.LogCaptureFixture) -> None:
    recorder = PurgeRecorder(iter([500, 500]))
    purger = Purger([recorder.url], retry_delays=(0.0,))
    try:
        purger.after_commit([DEMO])
        recorder.wait_for(2)
        purger.submit([NEW]).result(timeout=10)
    finally:
        purger.close()
        recorder.close()
    gave_up = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "gave up purging after 2 attempts (HTTP 500)" in gave_up[0].getMessage()


def test_an_unreachable_proxy_does_not_fail_the_write(caplog: pytest.LogCaptureFixture) -> None:
    recorder = PurgeRecorder()
    url = recorder.url
    recorder.close()  # nothing listens there any more
    purger = Purger([url], retry_delays=(600.0,))
    try:
        purger.after_commit([DEMO])
    finally:
        purger.close()
    messages = [r.getMessage() for r in caplog.records]
    assert "purge failed (ConnectError" in messages[0]
    # The retry was still due when the server stopped.
    assert messages[-1] == "1 purges not sent: the server stopped before they succeeded"


def test_a_slow_proxy_delays_the_write_only_briefly(
    recorder: PurgeRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    recorder.release.clear()
    purger = Purger([recorder.url], wait=0.01)
    try:
        started = time.monotonic()
        purger.after_commit([DEMO])
        assert time.monotonic() - started < 1
        recorder.release.set()
    finally:
        purger.close()
    assert "did not confirm a purge within 0.010 s" in caplog.records[0].getMessage()


def test_a_closed_purger_takes_no_more(recorder: PurgeRecorder) -> None:
    purger = Purger([recorder.url])
    purger.close()
    with pytest.raises(RuntimeError, match="closed"):
        purger.submit([DEMO])


def test_the_server_purges_after_each_commit_while_it_runs(
    recorder: PurgeRecorder, server_settings: ServerSettings
) -> None:
    settings = dataclasses.replace(server_settings, purge_urls=(recorder.url + "/",))
    app = create_app(settings)
    with TestClient(app):
        database: Database = app.state.database
        with database.write() as session:
            project = factories.add_project(session, "Demo.Pkg")
            journal.record(session, project, "create")
        assert recorder.wait_for(1)[0].headers["Surrogate-Key"] == (
            "all-projects project/demo-pkg"
        )
    # Stopped: the database no longer purges.
    assert database.on_commit is None
