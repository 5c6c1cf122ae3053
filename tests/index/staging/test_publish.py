"""Atomic publish: one transaction, filename reservations against the legacy API, one winner."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import AdminFlag, File, JournalEntry, StagingReservation
from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging import files
from pypidesk.index.staging.problems import ProblemError
from pypidesk.index.storage import LocalFileStorage
from tests.index.staging.stager import RENDERER, Stager
from tests.index.upload.conftest import Uploads
from tests.index.upload.dists import make_sdist, make_wheel


@pytest.fixture
def uploads(database: Database, server_settings: ServerSettings) -> Uploads:
    return Uploads(
        database, server_settings, LocalFileStorage(server_settings.packages_dir), RENDERER
    )


@pytest.fixture
def stager(database: Database, server_settings: ServerSettings, uploads: Uploads) -> Stager:
    return Stager(database, server_settings)  # the same alice as ``uploads``


def _count(database: Database, model: type) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_legacy_upload_during_publish_gets_409_and_never_both(
    stager: Stager, uploads: Uploads, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel, sdist = make_wheel(), make_sdist()
    assert uploads.upload(make_wheel(version="0.9")).status == 200  # not a first release
    session = stager.create()
    stager.add(session, wheel)
    stager.add(session, sdist)
    during: list[tuple[int, str]] = []
    publish_files = files._publish

    def legacy_upload_first(*args: object, **kwargs: object) -> None:
        # The reservation is committed: the legacy API sees it from another transaction.
        result = uploads.upload(wheel)
        during.append((result.status, result.message))
        publish_files(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "_publish", legacy_upload_first)
    assert stager.publish(session).status == "published"
    assert during[0][0] == 409
    assert "being published" in during[0][1]
    assert _count(database, File) == 3
    assert _count(database, StagingReservation) == 0
    # After the publish, the legacy API answers as for any published file.
    assert uploads.upload(wheel).status == 200  # identical bytes: PyPI's no-op


def test_two_publishes_at_once_publish_once(stager: Stager, database: Database) -> None:
    session = stager.create()
    stager.add(session, make_wheel())
    stager.add(session, make_sdist())
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def publish() -> None:
        barrier.wait()
        try:
            outcomes.append(stager.publish(session).status)
        except ProblemError as exc:
            outcomes.append(exc.status)

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [409, "published"]
    assert _count(database, File) == 2
    with database.read() as db:
        added = db.scalars(select(JournalEntry.action).where(JournalEntry.action.like("add %")))
        assert len([a for a in added if " file " in a]) == 2


def test_publish_conflict_releases_the_reservation_and_leaves_the_session_editable(
    stager: Stager, uploads: Uploads, database: Database
) -> None:
    wheel, sdist = make_wheel(), make_sdist()
    assert uploads.upload(make_wheel(version="0.9")).status == 200  # not a first release
    session = stager.create()
    stager.add(session, wheel)
    stager.add(session, sdist)
    # The same filename published meanwhile through the legacy API, other bytes.
    assert uploads.upload(make_wheel(payload=b"other bytes")).status == 200
    with pytest.raises(ProblemError) as info:
        stager.publish(session)
    assert info.value.status == 409
    assert info.value.errors[0][0] == wheel.filename
    assert stager.status(session).status == "open"
    assert _count(database, StagingReservation) == 0
    assert _count(database, File) == 2
    assert uploads.upload(sdist).status == 200  # its name is not held any more


def test_refusals_at_publish_are_problems(stager: Stager, database: Database) -> None:
    session = stager.create()
    stager.add(session, make_wheel())
    with database.write() as db:
        db.merge(AdminFlag(id="disallow-new-upload", enabled=True))
    with pytest.raises(ProblemError) as info:
        stager.publish(session)
    assert info.value.status == 403
    assert _count(database, File) == 0
    assert not list((stager.storage.root / ".tmp").iterdir())


def test_a_first_release_holds_its_name_against_the_legacy_api(
    stager: Stager, uploads: Uploads, database: Database
) -> None:
    session = stager.create()
    refused = uploads.upload(make_wheel())
    assert refused.status == 409
    assert "reserved by a publishing session" in refused.message
    stager.add(session, make_wheel())
    stager.publish(session)
    assert _count(database, File) == 1
