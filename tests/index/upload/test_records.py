"""The upload path writes its rows with plain SQL: the ORM must read them back unchanged.

Run on both backends, through the real token identification of ``POST /legacy/``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
from pathlib import Path

import pytest
from sqlalchemy import select

from pypidesk.index.auth import macaroons
from pypidesk.index.auth.passwords import hash_password
from pypidesk.index.auth.ratelimit import TOO_MANY_FAILURES, FailureLimiter
from pypidesk.index.db.engine import Database
from pypidesk.index.db.migrate import upgrade
from pypidesk.index.db.models import (
    ApiToken,
    Event,
    File,
    FileRegistry,
    JournalEntry,
    Project,
    Release,
    Role,
)
from pypidesk.index.records import accounts
from pypidesk.index.settings import ServerSettings
from pypidesk.index.storage import LocalFileStorage
from pypidesk.index.upload import routes
from pypidesk.index.upload.renderer import WorkerRenderer
from pypidesk.index.upload.service import UploadResult, store_upload
from tests.e2e.upload_helpers import PASSWORD
from tests.index.upload.conftest import Uploads
from tests.index.upload.dists import make_sdist, make_wheel


def _recent(when: dt.datetime) -> bool:
    # SQLite hands back naive UTC, PostgreSQL aware; both must be "just now".
    aware = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return abs(dt.datetime.now(dt.UTC) - aware) < dt.timedelta(minutes=5)


@pytest.fixture
def setup(data_dir: Path, migrated_database_url: str, description_renderer: WorkerRenderer):
    settings = ServerSettings(data_dir=data_dir, database_url=migrated_database_url)
    database = Database.from_url(migrated_database_url)
    upgrade(database.engine, data_dir)
    uploads = Uploads(
        database, settings, LocalFileStorage(settings.packages_dir), description_renderer
    )
    with database.write() as session:
        user = accounts.get_user(session, "alice")
        token = accounts.create_token(session, settings, user, "ci")
    basic = base64.b64encode(f"__token__:{token}".encode()).decode()
    identify = functools.partial(
        routes._identify,
        settings=settings,
        authorization=f"Basic {basic}",
        ip_address="192.0.2.7",
        limiter=FailureLimiter(),
    )
    yield uploads, identify
    database.dispose()


def _upload_result(uploads: Uploads, identify, dist) -> UploadResult:
    received = uploads.received(dist)
    try:
        return store_upload(
            uploads.database, uploads.settings, received, identify, uploads.renderer
        )
    finally:
        received.discard()


def _upload(uploads: Uploads, identify, dist) -> int:
    return _upload_result(uploads, identify, dist).status


def test_rows_written_by_the_upload_path_read_back_through_the_orm(setup) -> None:
    uploads, identify = setup
    wheel = make_wheel("Tiny_Pkg", "1.0")
    wheel.fields["classifiers"] = ["Programming Language :: Python :: 3"]
    sdist = make_sdist("Tiny_Pkg", "1.0")
    assert _upload(uploads, identify, wheel) == 200
    assert _upload(uploads, identify, sdist) == 200
    assert _upload(uploads, identify, wheel) == 200  # identical again: no change

    with uploads.database.read() as session:
        project = session.scalars(select(Project)).one()
        release = session.scalars(select(Release)).one()
        files = session.scalars(select(File).order_by(File.id)).all()
        journal = session.scalars(select(JournalEntry).order_by(JournalEntry.id)).all()
        events = session.scalars(select(Event).order_by(Event.id)).all()
        token = session.scalars(select(ApiToken)).one()
        registry = session.scalars(select(FileRegistry.filename)).all()
        role = session.scalars(select(Role)).one()

        assert project.name == "Tiny_Pkg"
        assert project.normalized_name == "tiny-pkg"
        assert project.total_size == len(wheel.data) + len(sdist.data)
        assert project.last_serial == journal[-1].id
        assert role.role_name == "Owner"
        assert [entry.action for entry in journal] == [
            "create",
            "add Owner alice",
            "new release",
            "add py3 file " + wheel.filename,
            "add source file " + sdist.filename,
        ]
        assert all(_recent(entry.submitted_at) for entry in journal)
        assert {entry.submitted_by for entry in journal} == {"alice"}

        assert release.version == "1.0"
        assert release.classifiers == ["Programming Language :: Python :: 3"]
        assert release.requires_dist == []
        assert release.yanked is False
        assert release.yanked_reason == ""
        assert _recent(release.created)

        assert [f.filename for f in files] == [wheel.filename, sdist.filename]
        assert all(_recent(f.upload_time) for f in files)
        assert files[0].metadata_sha256_digest is not None
        assert files[1].metadata_sha256_digest is None
        assert sorted(registry) == sorted(f.filename for f in files)

        assert [e.tag for e in events] == [
            "project:create",
            "project:release:add",
            "project:file:add",
            "project:file:add",
        ]
        assert events[2].additional == {"version": "1.0", "filename": wheel.filename}
        assert {(e.username, e.ip_address, e.token_name) for e in events} == {
            ("alice", "192.0.2.7", "ci")
        }
        assert all(_recent(e.time) for e in events)
        assert token.last_used is not None
        assert _recent(token.last_used)


def test_a_second_release_updates_the_project_row(setup) -> None:
    uploads, identify = setup
    assert _upload(uploads, identify, make_wheel("tiny-pkg", "1.0")) == 200
    assert _upload(uploads, identify, make_wheel("Tiny.Pkg", "2.0")) == 200
    with uploads.database.read() as session:
        project = session.scalars(select(Project)).one()
        serial = session.scalar(select(JournalEntry.id).order_by(JournalEntry.id.desc()))
        assert project.name == "Tiny.Pkg"  # the newest upload's spelling, as PyPI
        assert project.last_serial == serial
        assert len(session.scalars(select(Release)).all()) == 2


def test_concurrent_identical_uploads_store_one_file(setup) -> None:
    """On PostgreSQL the losers hit the driver's unique violation and retry."""
    from concurrent.futures import ThreadPoolExecutor

    uploads, identify = setup
    assert _upload(uploads, identify, make_wheel("tiny-pkg", "0.1")) == 200  # the project exists
    wheel = make_wheel("tiny-pkg", "1.0")
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: _upload(uploads, identify, wheel), range(6)))
    assert statuses == [200] * 6
    with uploads.database.read() as session:
        assert session.scalars(select(File.filename).where(File.filename == wheel.filename)).all()
        assert len(session.scalars(select(File)).all()) == 2
        assert len(session.scalars(select(Release)).all()) == 2
    stored = [p for p in uploads.stored_files() if not p.name.endswith(".metadata")]
    assert len(stored) == 2
    assert list(uploads.storage.tmp_dir.iterdir()) == []


def _identify_with(uploads: Uploads, authorization: str, **settings_changes: object):
    settings = dataclasses.replace(uploads.settings, **settings_changes)
    uploads.settings = settings
    return functools.partial(
        routes._identify, settings=settings, authorization=authorization, limiter=FailureLimiter()
    )


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_a_password_upload_where_allowed(setup) -> None:
    uploads, _ = setup
    with uploads.database.write() as session:
        user = accounts.get_user(session, "alice")
        user.password_hash = hash_password(PASSWORD)
    identify = _identify_with(uploads, _basic("alice", PASSWORD), allow_password_uploads=True)
    assert _upload(uploads, identify, make_wheel()) == 200
    with uploads.database.read() as session:
        events = session.scalars(select(Event)).all()
        assert {(e.username, e.token_name) for e in events} == {("alice", None)}


def test_password_uploads_are_limited_before_the_check(setup) -> None:
    uploads, _ = setup
    uploads.settings = dataclasses.replace(uploads.settings, allow_password_uploads=True)
    identify = functools.partial(
        routes._identify,
        settings=uploads.settings,
        authorization=_basic("alice", "wrong"),
        ip_address="192.0.2.9",
        limiter=FailureLimiter(limit=1),
    )
    assert _upload(uploads, identify, make_wheel()) == 403
    limited = _upload_result(uploads, identify, make_wheel())
    assert (limited.status, limited.message) == (429, TOO_MANY_FAILURES)


def test_tokens_that_name_no_usable_row_are_refused(setup) -> None:
    uploads, identify = setup
    authorization = identify.keywords["authorization"]
    token = base64.b64decode(authorization.removeprefix("Basic ")).decode().partition(":")[2]
    with uploads.database.write() as session:
        session.scalars(select(ApiToken)).one().user.is_active = False
    result = _upload_result(uploads, identify, make_wheel())
    assert result.status == 403
    assert result.message.startswith("Invalid or non-existent authentication information.")

    key = macaroons.root_key(b"k" * 32, "not-a-uuid", b"")
    bad_id = macaroons.mint("pypidesk", "not-a-uuid", key, [])
    unknown = macaroons.mint("pypidesk", "11111111-2222-4333-8444-555555555555", key, [])
    for other in (bad_id, unknown):
        assert other != token
        identify = _identify_with(uploads, _basic("__token__", other))
        assert _upload(uploads, identify, make_wheel()) == 403


@pytest.mark.parametrize(("age_days", "expected"), [(13, 200), (15, 400)])
def test_a_release_takes_new_files_for_14_days(setup, age_days: int, expected: int) -> None:
    """PyPI's closed-release rule; an identical re-upload still answers 200 (it comes first)."""
    uploads, identify = setup
    wheel = make_wheel("tiny-pkg", "1.0")
    assert _upload(uploads, identify, wheel) == 200
    with uploads.database.write() as session:
        release = session.scalars(select(Release)).one()
        release.created = dt.datetime.now(dt.UTC) - dt.timedelta(days=age_days)
    result = _upload_result(uploads, identify, make_sdist("tiny-pkg", "1.0"))
    assert result.status == expected
    if expected == 400:
        assert result.message == (
            "Uploading new files to releases older than 14 days is not allowed."
        )
    assert _upload(uploads, identify, wheel) == 200
    assert _upload(uploads, identify, make_wheel("tiny-pkg", "2.0")) == 200  # a new release
