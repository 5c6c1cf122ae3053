"""The staging modules' remaining rules, in-process: early checks, the form, preview, edges."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import tarfile
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import (
    AdminFlag,
    ApiToken,
    File,
    StagingFile,
    StagingReservation,
    StagingSession,
)
from pypidesk.index.records.projects import prohibit_name
from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging import checks, files, preview, routes
from pypidesk.index.staging.dist_form import form_fields, read_core_metadata
from pypidesk.index.staging.problems import ProblemError
from pypidesk.index.staging.service import StagingService
from pypidesk.index.staging.sweeper import sweep
from pypidesk.index.staging.views import FileView, SessionView
from pypidesk.index.storage import Digests, LocalFileStorage
from pypidesk.index.upload.errors import UploadError
from tests.index.factories import PASSWORD
from tests.index.staging.stager import RENDERER, Stager
from tests.index.upload.conftest import Uploads
from tests.index.upload.dists import make_sdist, make_wheel

STAGE = "http://h/upload/2.0-draft/stage/t"


@pytest.fixture
def uploads(database: Database, server_settings: ServerSettings) -> Uploads:
    return Uploads(
        database, server_settings, LocalFileStorage(server_settings.packages_dir), RENDERER
    )


@pytest.fixture
def stager(database: Database, server_settings: ServerSettings, uploads: Uploads) -> Stager:
    return Stager(database, server_settings)


def _status(excinfo: pytest.ExceptionInfo[ProblemError]) -> int:
    return excinfo.value.status


# -- early checks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "version"), [(1, "1.0"), ("ok", 1.0), ("ok", None), ("-bad-", "1.0")]
)
def test_release_of_refuses_what_is_not_a_name_and_version(name: Any, version: Any) -> None:
    with pytest.raises(ProblemError) as info:
        checks.release_of(name, version)
    assert _status(info) == 400


def test_filenames_must_be_the_session_s() -> None:
    with pytest.raises(ProblemError, match="must be a string"):
        checks.check_filename(3, "tiny-pkg", "1")
    with pytest.raises(ProblemError, match="not a file of project"):
        checks.check_filename("other-1.0.tar.gz", "tiny-pkg", "1")
    assert checks.check_filename("tiny_pkg-1.0.tar.gz", "tiny-pkg", "1") == "tiny_pkg-1.0.tar.gz"


@pytest.mark.parametrize("size", [True, -1, "10", 1.5])
def test_sizes_are_whole_numbers(size: Any, server_settings: ServerSettings) -> None:
    with pytest.raises(ProblemError, match="whole number"):
        checks.check_size(size, server_settings, "p")


@pytest.mark.parametrize(
    ("hashes", "source"),
    [
        ([], "hashes"),
        ({}, "hashes"),
        ({"sha256": "zz"}, "hashes.sha256"),
        ({"nohash": "00"}, "hashes.nohash"),
        ({"shake_128": "00"}, "hashes.shake_128"),
        ({"md5": "00"}, "hashes"),
    ],
)
def test_hashes_need_a_secure_algorithm_and_hex(hashes: Any, source: str) -> None:
    with pytest.raises(ProblemError) as info:
        checks.check_hashes(hashes)
    assert info.value.errors[0][0] == source


def test_declared_digests_are_checked(tmp_path: Any) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"data")
    digests, wrong = checks.digest_file(path, {"sha512": "00", "blake2b": "00"})
    assert wrong == ["blake2b", "sha512"]
    assert len(digests.blake2_256) == 64


# -- the form from the file's metadata ----------------------------------------


def test_form_fields_carry_lists_keywords_and_urls() -> None:
    metadata = (
        b"Metadata-Version: 2.4\nName: spam\nVersion: 1.0\nKeywords: a,b\n"
        b"Classifier: Programming Language :: Python\nProject-URL: Home, https://e.org\n"
        b"Requires-Dist: eggs\n\nThe description.\n"
    )
    fields = form_fields(metadata, "spam-1.0-py3-none-any.whl", Digests("m", "s", "b"))
    assert fields["classifiers"] == ["Programming Language :: Python"]
    assert fields["keywords"] == ["a, b"]
    assert fields["project_urls"] == ["Home, https://e.org"]
    assert fields["requires_dist"] == ["eggs"]
    assert fields["pyversion"] == ["py3"]
    assert fields["description"] == ["The description.\n"]


def test_an_sdist_whose_pkg_info_is_not_a_file_is_refused(tmp_path: Any) -> None:
    path = tmp_path / "spam-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("spam-1.0/PKG-INFO")
        info.type = tarfile.DIRTYPE
        archive.addfile(info)
        data = tarfile.TarInfo("spam-1.0/setup.py")
        archive.addfile(data, io.BytesIO(b""))
    with pytest.raises(UploadError, match="unreadable"):
        read_core_metadata(path, path.name)


# -- completing and publishing --------------------------------------------------


def test_completion_failures_put_the_file_in_error(stager: Stager, database: Database) -> None:
    session = stager.create()
    with pytest.raises(ProblemError, match="does not contain the required RECORD"):
        stager.add(session, make_wheel(skip=("tiny_pkg-1.0.dist-info/RECORD",)))
    stager.add(session, make_sdist())
    with pytest.raises(ProblemError, match="Only one sdist"):
        stager.add(session, make_sdist(filename="tiny-pkg-1.0.tar.gz"))
    view = stager.service.create_file(
        stager.authorization, session.token, filename=make_wheel(tag="py2-none-any").filename,
        size=4, hashes={"sha256": "00" * 32}, mechanism="http-post-bytes",
    )  # fmt: skip
    with pytest.raises(ProblemError, match="No bytes"):
        files.complete(stager.service, stager.authorization, session.token, view.token)


def test_a_size_other_than_declared_fails(stager: Stager) -> None:
    session = stager.create()
    wheel = make_wheel()
    view = stager.service.create_file(
        stager.authorization, session.token, filename=wheel.filename, size=len(wheel.data) + 1,
        hashes={"sha256": "00" * 32}, mechanism="http-post-bytes",
    )  # fmt: skip
    stager.service.admit_bytes(stager.authorization, session.token, view.token)
    stager.service.file_path(session.token, view.token + ".part").write_bytes(wheel.data)
    stager.service.store_bytes(stager.authorization, session.token, view.token, len(wheel.data))
    with pytest.raises(ProblemError, match="were declared"):
        files.complete(stager.service, stager.authorization, session.token, view.token)
    with pytest.raises(ProblemError) as info:
        stager.service.admit_bytes(stager.authorization, session.token, view.token)
    assert _status(info) == 409
    part = stager.service.file_path(session.token, view.token + ".part")
    part.write_bytes(wheel.data)
    with pytest.raises(ProblemError) as info:
        stager.service.store_bytes(stager.authorization, session.token, view.token, 1)
    assert _status(info) == 409
    assert not part.exists()


def test_publish_time_refusals(stager: Stager, uploads: Uploads, database: Database) -> None:
    # The identical file published meanwhile through the legacy API.
    assert uploads.upload(make_wheel(version="0.9")).status == 200
    session = stager.create()
    wheel = make_wheel()
    stager.add(session, wheel)
    assert uploads.upload(wheel).status == 200
    with pytest.raises(ProblemError, match="already been published") as info:
        stager.publish(session)
    assert _status(info) == 409
    # A filename held by another publish.
    other = stager.create(version="2.0")
    wheel2 = make_wheel(version="2.0")
    stager.add(other, wheel2)
    with database.write() as db:
        holder = db.scalar(select(StagingSession.id).where(StagingSession.token == session.token))
        db.add(StagingReservation(filename=wheel2.filename, session_id=holder))
    with pytest.raises(ProblemError, match="Another publish holds") as info:
        stager.publish(other)
    assert info.value.errors == [(wheel2.filename, "reserved")]


def test_a_session_canceled_while_its_publish_began(
    stager: Stager, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = stager.create()
    publish = files._publish

    def canceled_first(service: Any, *args: Any, **kwargs: Any) -> None:
        with service.database.write() as db:
            db.execute(
                update(StagingSession)
                .where(StagingSession.token == session.token)
                .values(status="canceled")
            )
        publish(service, *args, **kwargs)

    monkeypatch.setattr(files, "_publish", canceled_first)
    with pytest.raises(ProblemError, match="is canceled") as info:
        stager.publish(session)
    assert _status(info) == 409


def test_an_empty_first_release_whose_name_became_prohibited(
    stager: Stager, database: Database
) -> None:
    session = stager.create("soon-banned")
    with database.write() as db:
        prohibit_name(db, "soon-banned")
    with pytest.raises(ProblemError, match="isn't allowed") as info:
        stager.publish(session)
    assert _status(info) == 400
    with pytest.raises(ProblemError, match="isn't allowed"):
        stager.create("soon-banned", "2.0")


def test_admin_flags_refuse_new_sessions(stager: Stager, database: Database) -> None:
    with database.write() as db:
        db.merge(AdminFlag(id="read-only", enabled=True))
    with pytest.raises(ProblemError) as info:
        stager.create()
    assert _status(info) == 403


def test_unknown_tokens_and_files_are_404(stager: Stager) -> None:
    session = stager.create()
    for token in ("short", "x" * 43):
        with pytest.raises(ProblemError) as info:
            stager.service.status(stager.authorization, token)
        assert _status(info) == 404
    with pytest.raises(ProblemError) as info:
        stager.service.file_status(stager.authorization, session.token, "y" * 43)
    assert _status(info) == 404


def test_a_token_scoped_to_another_project_is_403(
    stager: Stager, uploads: Uploads, database: Database, server_settings: ServerSettings
) -> None:
    import base64

    from pypidesk.index.db.models import Project, User
    from pypidesk.index.records import accounts

    uploads.upload(make_wheel("elsewhere", "1.0"))
    uploads.upload(make_wheel(version="0.9"))
    with database.write() as db:
        user = db.scalar(select(User).where(User.username == "alice"))
        other = db.scalar(select(Project).where(Project.normalized_name == "elsewhere"))
        token = accounts.create_token(db, server_settings, user, "scoped", projects=[other])
    scoped = "Basic " + base64.b64encode(f"__token__:{token}".encode()).decode()
    with pytest.raises(ProblemError, match="Invalid API Token") as info:
        stager.service.create(scoped, "tiny-pkg", "1.0")
    assert _status(info) == 403


# -- the stage preview ----------------------------------------------------------


@pytest.fixture
def staged(stager: Stager, uploads: Uploads) -> tuple[Stager, SessionView]:
    assert uploads.upload(make_wheel(version="0.9")).status == 200
    session = stager.create()
    stager.add(session, make_wheel())
    stager.add(session, make_sdist())
    stager.service.create_file(
        stager.authorization, session.token, filename=make_wheel(tag="py2-none-any").filename,
        size=1, hashes={"sha256": "00" * 32}, mechanism="http-post-bytes",
    )  # fmt: skip
    return stager, session


def _render(staged: tuple[Stager, SessionView], rest: str, accept: str | None = None) -> Any:
    stager, session = staged
    return preview.render(stager.service, session.token, rest, accept, STAGE)


def _location(page: Any) -> str:
    return dict(page.headers)[b"location"].decode()


def test_the_stage_merges_published_and_completed_staged_files(
    staged: tuple[Stager, SessionView],
) -> None:
    page = _render(staged, "tiny-pkg/")
    body = page.body.decode()
    assert "tiny_pkg-0.9-py3-none-any.whl" in body  # published
    assert f"{STAGE}/packages/tiny_pkg-1.0-py3-none-any.whl#sha256=" in body  # staged
    assert "tiny_pkg-1.0.tar.gz" in body
    assert "py2-none-any" not in body  # still pending
    assert (b"cache-control", b"no-store") in page.headers
    as_json = _render(staged, "tiny-pkg/", "application/vnd.pypi.simple.v1+json")
    assert b'"core-metadata":{"sha256"' in as_json.body


def test_the_stage_routes(staged: tuple[Stager, SessionView]) -> None:
    assert b'href="tiny-pkg/"' in _render(staged, "").body
    assert _location(_render(staged, "requests/")) == "/simple/requests/"
    assert _location(_render(staged, "Tiny_Pkg/")) == f"{STAGE}/tiny-pkg/"
    assert _location(_render(staged, "tiny-pkg")) == f"{STAGE}/tiny-pkg/"
    assert _location(_render(staged, "packages/ab/cd/ef/x.whl")) == "/packages/ab/cd/ef/x.whl"
    wheel = _render(staged, "packages/tiny_pkg-1.0-py3-none-any.whl")
    assert wheel.path.read_bytes().startswith(b"PK")
    metadata = _render(staged, "packages/tiny_pkg-1.0-py3-none-any.whl.metadata")
    assert metadata.path.read_bytes().startswith(b"Metadata-Version")
    assert _render(staged, "packages/tiny_pkg-1.0.tar.gz.metadata") is preview.NOT_FOUND
    assert _render(staged, "packages/nothing.whl") is preview.NOT_FOUND


# -- the ASGI edges --------------------------------------------------------------


class _Wire:
    """A request's ``receive`` and a response's ``send`` for calling the endpoint directly."""

    def __init__(self, *messages: dict[str, Any]) -> None:
        self.incoming = list(messages)
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        return self.incoming.pop(0) if self.incoming else {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])


def _scope(stager: Stager, method: str, path: str, **headers: str) -> dict[str, Any]:
    state = SimpleNamespace(staging=stager.service, storage=stager.storage)
    return {
        "type": "http",
        "method": method,
        "path": path,
        "scheme": "http",
        "headers": [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
        + [(b"authorization", stager.authorization.encode())],
        "app": SimpleNamespace(state=state),
    }


async def test_a_disconnect_while_reading_the_body(stager: Stager) -> None:
    wire = _Wire({"type": "http.disconnect"})
    scope = _scope(stager, "POST", routes.ROOT, content_type=routes.CONTENT_TYPE)
    await routes.staging_endpoint(scope, wire.receive, wire.send)
    assert wire.status == 400


async def test_an_oversized_json_body_in_one_piece_is_413(stager: Stager) -> None:
    wire = _Wire({"type": "http.request", "body": b" " * (routes.MAX_JSON_BODY + 1)})
    scope = _scope(stager, "POST", routes.ROOT, content_type=routes.CONTENT_TYPE)
    await routes.staging_endpoint(scope, wire.receive, wire.send)
    assert wire.status == 413


async def test_an_oversized_json_body_is_413(stager: Stager) -> None:
    chunk = {"type": "http.request", "body": b" " * (routes.MAX_JSON_BODY + 1), "more_body": True}
    wire = _Wire(chunk, {"type": "http.request", "body": b"", "more_body": False})
    scope = _scope(stager, "POST", routes.ROOT, content_type=routes.CONTENT_TYPE)
    await routes.staging_endpoint(scope, wire.receive, wire.send)
    assert wire.status == 413


async def test_bytes_interrupted_or_beyond_the_declared_size(stager: Stager) -> None:
    session = stager.create()
    wheel = make_wheel()
    view = stager.service.create_file(
        stager.authorization, session.token, filename=wheel.filename, size=3,
        hashes={"sha256": "00" * 32}, mechanism="http-post-bytes",
    )  # fmt: skip
    path = f"{routes.ROOT}sessions/{session.token}/files/{view.token}/bytes"
    headers = {"content_type": "application/octet-stream"}
    interrupted = _Wire({"type": "http.request", "body": b"ab", "more_body": True})
    await routes.staging_endpoint(_scope(stager, "POST", path, **headers), *_io(interrupted))
    assert interrupted.status == 400
    too_many = _Wire(
        {"type": "http.request", "body": b"abcd", "more_body": True},
        {"type": "http.request", "body": b"e", "more_body": False},
    )
    await routes.staging_endpoint(_scope(stager, "POST", path, **headers), *_io(too_many))
    assert too_many.status == 400
    assert not stager.service.file_path(session.token, view.token + ".part").exists()
    stager.service.cancel_file(stager.authorization, session.token, view.token)
    refused = _Wire({"type": "http.request", "body": b"abc", "more_body": False})
    await routes.staging_endpoint(_scope(stager, "POST", path, **headers), *_io(refused))
    assert refused.status == 409


def _io(wire: _Wire) -> tuple[Any, Any]:
    return wire.receive, wire.send


async def test_unknown_file_actions_are_404(stager: Stager) -> None:
    session = stager.create()
    base = f"{routes.ROOT}sessions/{session.token}"
    for path in (f"{base}/elsewhere/x", f"{base}/files/x/elsewhere", f"{base}/nothing"):
        wire = _Wire()
        await routes.staging_endpoint(_scope(stager, "GET", path), *_io(wire))
        assert wire.status == 404


async def test_a_staged_file_gone_from_disk_is_404(staged: tuple[Stager, SessionView]) -> None:
    stager, session = staged
    wheel = make_wheel()
    _render(staged, f"packages/{wheel.filename}").path.unlink()
    wire = _Wire()
    path = f"{routes.ROOT}stage/{session.token}/packages/{wheel.filename}"
    await routes.staging_endpoint(_scope(stager, "GET", path), *_io(wire))
    assert wire.status == 404


def test_the_session_status_lists_live_files_only(stager: Stager, database: Database) -> None:
    session = stager.create()
    view = stager.add(session, make_wheel())
    stager.service.cancel_file(stager.authorization, session.token, view.token)
    assert stager.status(session).files == []
    with database.read() as db:
        assert db.scalar(select(StagingFile.status)) == "canceled"


async def test_a_staged_file_streams_from_the_stage(staged: tuple[Stager, SessionView]) -> None:
    stager, session = staged
    wheel = make_wheel()
    wire = _Wire()
    path = f"{routes.ROOT}stage/{session.token}/packages/{wheel.filename}"
    await routes.staging_endpoint(_scope(stager, "GET", path), *_io(wire))
    assert wire.status == 200
    body = b"".join(m.get("body", b"") for m in wire.sent[1:])
    assert body.startswith(b"PK")
    assert dict(wire.sent[0]["headers"])[b"cache-control"] == b"no-store"


def test_adding_files_to_a_published_release_shows_both_on_the_stage(
    stager: Stager, uploads: Uploads
) -> None:
    assert uploads.upload(make_wheel()).status == 200  # 1.0, published
    session = stager.create()
    stager.add(session, make_sdist())
    page = preview.render(stager.service, session.token, "tiny-pkg/", None, STAGE)
    body = page.body.decode()
    assert "tiny_pkg-1.0-py3-none-any.whl" in body
    assert "tiny_pkg-1.0.tar.gz" in body


def test_the_sweeper_keeps_live_sessions_files(stager: Stager) -> None:
    session = stager.create()
    stager.add(session, make_wheel())
    sweep(stager.service)
    assert stager.service.session_dir(session.token).is_dir()


async def test_bytes_beyond_the_declared_size_in_the_last_chunk(stager: Stager) -> None:
    session = stager.create()
    wheel = make_wheel()
    view = stager.service.create_file(
        stager.authorization, session.token, filename=wheel.filename, size=3,
        hashes={"sha256": "00" * 32}, mechanism="http-post-bytes",
    )  # fmt: skip
    path = f"{routes.ROOT}sessions/{session.token}/files/{view.token}/bytes"
    last = _Wire({"type": "http.request", "body": b"abcd", "more_body": False})
    await routes.staging_endpoint(
        _scope(stager, "POST", path, content_type="application/octet-stream"), *_io(last)
    )
    assert last.status == 400
    assert not stager.service.file_path(session.token, view.token + ".part").exists()


def _new_file(stager: Stager, authorization: str, token: str) -> FileView:
    wheel = make_wheel()
    return stager.service.create_file(
        authorization, token, filename=wheel.filename, size=len(wheel.data),
        hashes={"sha256": "00" * 32}, mechanism="http-post-bytes",
    )  # fmt: skip


def test_file_requests_for_unknown_sessions_and_files_are_404(stager: Stager) -> None:
    session = stager.create()
    with pytest.raises(ProblemError) as info:
        _new_file(stager, stager.authorization, "x" * 43)
    assert _status(info) == 404
    with pytest.raises(ProblemError) as info:
        stager.service.store_bytes(stager.authorization, session.token, "y" * 43, 0)
    assert _status(info) == 404


def test_file_requests_check_who_asks(
    stager: Stager, uploads: Uploads, database: Database, server_settings: ServerSettings
) -> None:
    uploads.upload(make_wheel(version="0.9"))  # tiny-pkg exists; bob has no role on it
    existing = stager.create()
    first_release = stager.create("brand-new", "1.0")
    bob = Stager(database, server_settings, "bob")
    for session in (existing, first_release):
        with pytest.raises(ProblemError, match="isn't allowed to upload") as info:
            _new_file(bob, bob.authorization, session.token)
        assert _status(info) == 403
    with database.write() as db:
        db.execute(delete(ApiToken).where(ApiToken.name == "staging-bob"))
    with pytest.raises(ProblemError) as info:
        _new_file(bob, bob.authorization, existing.token)
    assert _status(info) == 401
    # Where the index allows passwords, they work for file requests too.
    settings = dataclasses.replace(server_settings, allow_password_uploads=True)
    service = StagingService(database, settings, RENDERER)
    password = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    wheel = make_wheel()
    view = service.create_file(
        password, existing.token, filename=wheel.filename, size=len(wheel.data),
        hashes={"sha256": "00" * 32}, mechanism="http-post-bytes",
    )  # fmt: skip
    assert view.status == "pending"


def test_publish_reads_the_archive_again_unless_it_has_the_completed_bytes() -> None:
    core = b"Metadata-Version: 2.4\n"
    digests = Digests("m", "s", "b")
    completed = files._Staged(1, "session", "token", "f-1.0.tar.gz", 6, {}, "s", core)
    assert files._completed_core(completed, digests) == core
    changed = files._Staged(1, "session", "token", "f-1.0.tar.gz", 6, {}, "other", core)
    assert files._completed_core(changed, digests) is None
    # Completed before the index kept core metadata in its row: the archive is read again.
    unrecorded = files._Staged(1, "session", "token", "f-1.0.tar.gz", 6, {}, "s", None)
    assert files._completed_core(unrecorded, digests) is None


async def test_a_file_upload_session_takes_get_and_delete_only(stager: Stager) -> None:
    session = stager.create()
    view = _new_file(stager, stager.authorization, session.token)
    path = f"{routes.ROOT}sessions/{session.token}/files/{view.token}"
    wire = _Wire({"type": "http.request", "body": b"", "more_body": False})
    await routes.staging_endpoint(_scope(stager, "PUT", path), *_io(wire))
    assert wire.status == 405
    assert (b"allow", b"GET, DELETE") in wire.sent[0]["headers"]


def test_a_staged_file_changed_after_completion_is_checked_in_full_at_publish(
    stager: Stager, database: Database
) -> None:
    session = stager.create()
    view = stager.add(session, make_wheel())
    changed = make_wheel(payload=b"changed behind the index's back")
    stager.service.file_path(session.token, view.token).write_bytes(changed.data)
    assert stager.publish(session).status == "published"
    with database.read() as db:
        stored = db.scalar(select(File.sha256_digest).where(File.filename == changed.filename))
    assert stored == hashlib.sha256(changed.data).hexdigest()


async def test_the_stage_takes_get_and_head_only(stager: Stager) -> None:
    session = stager.create()
    wire = _Wire({"type": "http.request", "body": b"", "more_body": False})
    path = f"{routes.ROOT}stage/{session.token}/simple/"
    await routes.staging_endpoint(_scope(stager, "POST", path), *_io(wire))
    assert wire.status == 405
    assert (b"allow", b"GET, HEAD") in wire.sent[0]["headers"]
