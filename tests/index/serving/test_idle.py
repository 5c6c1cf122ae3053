"""Releasing connections and heap while the server rests."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pypidesk.index.app import create_app
from pypidesk.index.serving import idle
from pypidesk.index.serving.idle import IdleReleaser
from pypidesk.index.settings import ServerSettings


async def test_release_runs_once_per_quiet_spell_and_never_mid_request() -> None:
    releaser = IdleReleaser(idle_after=0.05)
    releases: list[int] = []
    releaser.begin()
    releaser.end()  # not started yet: nothing to release
    await asyncio.sleep(0.15)
    releaser.start(lambda: releases.append(1))
    releaser.begin()
    releaser.begin()
    releaser.end()  # one request still in flight
    await asyncio.sleep(0.15)
    assert releases == []
    releaser.end()
    await asyncio.sleep(0.15)
    assert releases == [1]
    await asyncio.sleep(0.15)
    assert releases == [1]  # once per spell
    releaser.begin()
    releaser.end()
    releaser.begin()  # a new request before the timer fires: no release
    await asyncio.sleep(0.15)
    assert releases == [1]
    releaser.end()
    releaser.stop()  # the app is shutting down: the armed timer is dropped
    await asyncio.sleep(0.15)
    assert releases == [1]


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
