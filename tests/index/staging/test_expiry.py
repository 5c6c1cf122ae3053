"""Expiry, extension limits, status retention and the sweeper."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select, update

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import StagingFile, StagingReservation, StagingSession, utcnow
from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging import preview
from pypidesk.index.staging.problems import ProblemError
from pypidesk.index.staging.sweeper import RESERVATION_TIMEOUT, sweep
from pypidesk.index.staging.views import aware
from tests.index.staging.stager import Stager
from tests.index.upload.dists import make_wheel

LONG_AGO = dt.timedelta(days=365)


@pytest.fixture
def stager(database: Database, server_settings: ServerSettings) -> Stager:
    return Stager(database, server_settings)


def _set(database: Database, token: str, **values: object) -> None:
    with database.write() as session:
        session.execute(
            update(StagingSession).where(StagingSession.token == token).values(**values)
        )


def test_an_expired_session_is_gone(stager: Stager, database: Database) -> None:
    session = stager.create()
    stager.add(session, make_wheel())
    assert stager.service.session_dir(session.token).is_dir()
    _set(database, session.token, expires_at=utcnow() - dt.timedelta(seconds=1))
    with pytest.raises(ProblemError) as info:
        stager.status(session)
    assert info.value.status == 404
    with pytest.raises(ProblemError):
        stager.add(session, make_wheel())
    page = preview.render(stager.service, session.token, "tiny-pkg/", None, "http://x/stage")
    assert page is preview.NOT_FOUND
    # The name and version are free again, even before the sweeper ran.
    again = stager.create()
    assert again.token != session.token
    sweep(stager.service)
    assert not stager.service.session_dir(session.token).exists()
    assert stager.service.session_dir(again.token).is_dir() is False  # nothing staged yet
    with database.read() as db:
        row = db.scalar(select(StagingSession).where(StagingSession.token == session.token))
        assert row is not None
        assert row.status == "expired"
        assert db.scalars(select(StagingFile).where(StagingFile.session_id == row.id)).all() == []


def test_extension_is_capped_and_never_shortens(
    database: Database, server_settings: ServerSettings
) -> None:
    settings = dataclasses.replace(server_settings, staging_lifetime=60, staging_max_lifetime=600)
    stager = Stager(database, settings)
    session = stager.create()
    longer = stager.service.extend(stager.authorization, session.token, 10**9)
    assert aware(longer.expires_at) <= utcnow() + dt.timedelta(seconds=600)
    assert longer.expires_at > session.expires_at
    same = stager.service.extend(stager.authorization, session.token, 0)
    assert same.expires_at == longer.expires_at


def test_finished_sessions_are_kept_for_the_retention_period(
    stager: Stager, database: Database
) -> None:
    kept, old = stager.create("kept-pkg"), stager.create("old-pkg")
    for session in (kept, old):
        stager.service.cancel(stager.authorization, session.token)
    _set(database, old.token, ended_at=utcnow() - LONG_AGO)
    sweep(stager.service)
    assert stager.status(kept).status == "canceled"
    with pytest.raises(ProblemError) as info:
        stager.status(old)
    assert info.value.status == 404


def test_a_crashed_publish_s_reservation_is_released(stager: Stager, database: Database) -> None:
    session = stager.create()
    with database.write() as db:
        row = db.scalar(select(StagingSession).where(StagingSession.token == session.token))
        assert row is not None
        db.add(StagingReservation(filename="fresh.whl", session_id=row.id))
        db.add(
            StagingReservation(
                filename="stale.whl",
                session_id=row.id,
                created=utcnow() - RESERVATION_TIMEOUT - dt.timedelta(seconds=1),
            )
        )
    sweep(stager.service)
    with database.read() as db:
        assert db.scalars(select(StagingReservation.filename)).all() == ["fresh.whl"]


def test_the_sweeper_removes_directories_of_no_live_session(stager: Stager) -> None:
    stray = stager.service.root / "no-such-session"
    stray.mkdir(parents=True)
    (stray / "file").write_bytes(b"x")
    sweep(stager.service)
    assert not stray.exists()
