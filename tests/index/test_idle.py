"""Releasing connections and heap while the server rests."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pypidesk.index import idle
from pypidesk.index.app import create_app
from pypidesk.index.idle import IdleTracker, release_when_idle
from pypidesk.index.settings import ServerSettings


def test_release_is_due_only_after_a_quiet_spell() -> None:
    tracker = IdleTracker(idle_after=10)
    assert not tracker.release_due(time.monotonic() + 100)  # never worked: nothing to give back
    tracker.begin()
    assert not tracker.release_due(time.monotonic() + 100)  # a request is running
    tracker.end()
    assert not tracker.release_due(tracker.last_activity + 9)
    assert tracker.release_due(tracker.last_activity + 10)
    tracker.released = True
    assert not tracker.release_due(tracker.last_activity + 100)  # once per spell


async def test_release_runs_once_per_idle_spell() -> None:
    tracker = IdleTracker(idle_after=0.05)
    releases: list[float] = []
    task = asyncio.create_task(release_when_idle(tracker, lambda: releases.append(1)))
    try:
        tracker.begin()
        tracker.end()
        await asyncio.sleep(0.3)
        assert releases == [1]
        tracker.begin()
        tracker.end()
        await asyncio.sleep(0.3)
        assert releases == [1, 1]
    finally:
        task.cancel()


def test_trim_allocator_with_and_without_malloc_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    idle.trim_allocator()  # glibc here: returns free pages, and nothing breaks
    monkeypatch.setattr(idle, "_malloc_trim", None)
    idle.trim_allocator()  # a C library without it: nothing to do


def test_an_idle_server_closes_its_database_connections(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idle, "IDLE_AFTER_SECONDS", 0.1)
    app = create_app(ServerSettings(data_dir=data_dir))
    with TestClient(app) as client:
        assert client.get("/simple/").status_code == 200
        assert client.get("/api/v1/flags").status_code == 200
        database = app.state.database
        reader = app._read_side._service
        assert reader is not None
        assert reader.serials._connection is not None
        assert database.engine.pool.checkedin() > 0
        deadline = time.monotonic() + 5
        while database.engine.pool.checkedin() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert database.engine.pool.checkedin() == 0
        assert reader.serials._connection is None
        # The next request simply opens a connection again.
        assert client.get("/simple/").status_code == 200
        assert reader.serials._connection is not None
