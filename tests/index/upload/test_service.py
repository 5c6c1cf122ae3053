"""The upload service: upload checks 5-26 of docs/pypi-behaviour.md, against a real database."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from pypidesk.index.db.models import (
    AdminFlag,
    File,
    FileRegistry,
    JournalEntry,
    Project,
    Release,
    Role,
)
from tests.index.upload.conftest import Uploads, add_user
from tests.index.upload.dists import make_sdist, make_wheel


def test_wheel_upload_records_file_release_project_and_journal(uploads: Uploads) -> None:
    wheel = make_wheel()
    result = uploads.upload(wheel)
    assert result.status == 200, result.message
    with uploads.database.read() as session:
        project = session.scalar(select(Project))
        release = session.scalar(select(Release))
        file = session.scalar(select(File))
        actions = session.scalars(select(JournalEntry.action).order_by(JournalEntry.id)).all()
        role = session.scalar(select(Role))
        assert project.name == "tiny-pkg"
        assert project.total_size == len(wheel.data)
        assert project.last_serial == 4
        assert release.version == "1.0"
        assert release.summary == "A tiny test package"
        assert release.description_html
        assert "<h1" in release.description_html
        assert not release.is_prerelease
        assert file.filename == wheel.filename
        assert file.packagetype == "bdist_wheel"
        assert file.python_version == "py3"
        assert file.metadata_sha256_digest
        assert role.role_name == "Owner"
        assert session.get(FileRegistry, wheel.filename) is not None
    assert actions == [
        "create",
        "add Owner alice",
        "new release",
        f"add py3 file {wheel.filename}",
    ]
    stored = uploads.storage.root / file.path
    assert stored.read_bytes() == wheel.data
    metadata = (uploads.storage.root / (file.path + ".metadata")).read_bytes()
    assert metadata.startswith(b"Metadata-Version: 2.4")
    assert file.path.startswith(f"{file.blake2_256_digest[:2]}/{file.blake2_256_digest[2:4]}/")
    assert not list(uploads.storage.tmp_dir.iterdir())
    assert uploads.scope_checks == ["tiny-pkg"]


def test_identical_reupload_is_200_and_changes_nothing(uploads: Uploads) -> None:
    wheel = make_wheel()
    assert uploads.upload(wheel).status == 200
    before = (uploads.counts(), uploads.stored_files())
    assert uploads.upload(wheel).status == 200
    assert (uploads.counts(), uploads.stored_files()) == before
    assert not list(uploads.storage.tmp_dir.iterdir())


def test_same_name_other_bytes_is_refused(uploads: Uploads) -> None:
    assert uploads.upload(make_wheel()).status == 200
    other = make_wheel(payload=b"# other\n")
    result = uploads.upload(other)
    assert result.status == 400
    assert result.message.startswith(f"File already exists ('{other.filename}', with blake2_256")
    assert result.message.endswith(
        "See https://pypi.org/help/#file-name-reuse for more information."
    )


def test_sdist_and_second_sdist(uploads: Uploads) -> None:
    assert uploads.upload(make_sdist()).status == 200
    second = make_sdist(version="1.0.0", filename="tiny_pkg-1.0.0.tar.gz")
    result = uploads.upload(second)
    assert (result.status, result.message) == (400, "Only one sdist may be uploaded per release.")


def test_release_metadata_comes_from_the_first_upload_only(uploads: Uploads) -> None:
    wheel = make_wheel()
    assert uploads.upload(wheel).status == 200
    sdist = make_sdist()
    assert uploads.upload(sdist, sdist.form(summary="Changed")).status == 200
    with uploads.database.read() as session:
        assert session.scalar(select(Release.summary)) == "A tiny test package"
        assert len(session.scalars(select(File)).all()) == 2


def test_prerelease_and_display_name_update(uploads: Uploads) -> None:
    assert uploads.upload(make_wheel(version="2.0rc1")).status == 200
    assert uploads.upload(make_wheel("Tiny.Pkg", version="2.0")).status == 200
    with uploads.database.read() as session:
        flags = dict(session.execute(select(Release.version, Release.is_prerelease)).all())
        assert flags == {"2.0rc1": True, "2.0": False}
        assert session.scalar(select(Project.name)) == "Tiny.Pkg"


def test_deleted_filename_cannot_be_reused(uploads: Uploads) -> None:
    wheel = make_wheel()
    with uploads.database.write() as session:
        session.add(FileRegistry(filename=wheel.filename))
    result = uploads.upload(wheel)
    assert result.status == 400
    assert result.message == (
        "This filename was previously used by a file that has since been deleted. Use a "
        "different version. See https://pypi.org/help/#file-name-reuse for more information."
    )


def test_not_a_collaborator(uploads: Uploads) -> None:
    assert uploads.upload(make_wheel()).status == 200
    bob = add_user(uploads.database, "bob")
    result = uploads.upload(make_sdist(), user=bob)
    assert (result.status, result.message) == (
        403,
        "The user 'bob' isn't allowed to upload to project 'tiny-pkg'. "
        "See https://pypi.org/help/#project-name for more information.",
    )


def test_maintainer_may_upload(uploads: Uploads) -> None:
    assert uploads.upload(make_wheel()).status == 200
    bob = add_user(uploads.database, "bob")
    with uploads.database.write() as session:
        project = session.scalar(select(Project))
        session.add(Role(user_id=bob.id, project_id=project.id, role_name="Maintainer"))
    assert uploads.upload(make_sdist(), user=bob).status == 200


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("read-only", "Read-only mode: Uploads are temporarily disabled."),
        (
            "disallow-new-upload",
            "New uploads are temporarily disabled. See "
            "https://pypi.org/help/#admin-intervention for more information.",
        ),
    ],
)
def test_admin_flags(uploads: Uploads, flag: str, message: str) -> None:
    with uploads.database.write() as session:
        session.add(AdminFlag(id=flag, enabled=True))
    result = uploads.upload(make_wheel())
    assert (result.status, result.message) == (403, message)
    assert uploads.counts() == (0, 0, 0, 0)


def test_file_and_project_size_limits(uploads: Uploads) -> None:
    wheel = make_wheel()
    uploads.settings = dataclasses.replace(uploads.settings, max_file_size=len(wheel.data) - 1)
    result = uploads.upload(wheel)
    assert result.status == 400
    assert result.message.startswith("File too large. Limit for project 'tiny-pkg' is 0 MB.")
    uploads.settings = dataclasses.replace(
        uploads.settings, max_file_size=10**6, max_project_size=len(wheel.data) + 10
    )
    assert uploads.upload(wheel).status == 200
    result = uploads.upload(make_sdist())
    assert result.message.startswith("Project size too large. Limit for project 'tiny-pkg' total")


def test_file_too_large_while_streaming_is_refused_and_leaves_nothing(uploads: Uploads) -> None:
    wheel = make_wheel()
    uploads.settings = dataclasses.replace(uploads.settings, max_file_size=len(wheel.data) - 1)
    result = uploads.upload(wheel)
    assert result.status == 400
    assert result.message.startswith("File too large.")
    assert uploads.stored_files() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("md5_digest", "0" * 32),
        ("sha256_digest", "0" * 64),
        ("blake2_256_digest", "0" * 64),
    ],
)
def test_digest_mismatch(uploads: Uploads, field: str, value: str) -> None:
    wheel = make_wheel()
    result = uploads.upload(wheel, wheel.form(**{field: value}))
    assert (result.status, result.message) == (
        400,
        "The digest supplied does not match a digest calculated from the uploaded file.",
    )
    assert uploads.counts() == (0, 0, 0, 0)
    assert uploads.stored_files() == []


def test_md5_digest_alone_is_enough(uploads: Uploads) -> None:
    import hashlib

    wheel = make_wheel()
    md5 = hashlib.md5(wheel.data, usedforsecurity=False).hexdigest().upper()
    fields = wheel.form(sha256_digest=None, blake2_256_digest=None, md5_digest=md5)
    assert uploads.upload(wheel, fields).status == 200


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"with_file": False}, "Upload payload does not have a file."),
        ({"content_type": None}, "Invalid distribution file."),
        ({"content_type": "image/png"}, "Invalid distribution file."),
        (
            {"filename": "tiny_pkg-1.0.exe"},
            "Invalid file extension: Use .tar.gz, .whl or .zip extension. See "
            "https://www.python.org/dev/peps/pep-0527 and https://peps.python.org/pep-0715/ "
            "for more information",
        ),
    ],
)
def test_payload_problems(uploads: Uploads, kwargs: dict, message: str) -> None:
    result = uploads.upload(make_wheel(), **kwargs)
    assert (result.status, result.message) == (400, message)
    assert uploads.counts() == (0, 0, 0, 0)


def test_description_render_failure(uploads: Uploads) -> None:
    wheel = make_wheel()
    bad_rst = "Title\n===\n\n:bad:`x`"
    result = uploads.upload(wheel, wheel.form(description=bad_rst))
    assert result.message == (
        "The description failed to render in the default format of reStructuredText. "
        "See https://pypi.org/help/#description-content-type for more information."
    )
    result = uploads.upload(
        wheel, wheel.form(description=bad_rst, description_content_type="text/x-rst")
    )
    assert result.message == (
        "The description failed to render for 'text/x-rst'. "
        "See https://pypi.org/help/#description-content-type for more information."
    )


def test_no_description_and_other_formats(uploads: Uploads) -> None:
    wheel = make_wheel()
    assert uploads.upload(wheel, wheel.form(description=None)).status == 200
    with uploads.database.read() as session:
        assert session.scalar(select(Release.description_html)) is None
    for version, ctype, expected in [
        ("2.0", "text/markdown", "<em>text</em>"),
        ("3.0", "text/markdown; variant=CommonMark", "<em>text</em>"),
        ("4.0", "text/plain", "Some *text*."),
    ]:
        dist = make_wheel(version=version)
        assert uploads.upload(dist, dist.form(description_content_type=ctype)).status == 200
        with uploads.database.read() as session:
            html = session.scalar(
                select(Release.description_html).where(Release.version == version)
            )
            assert expected in html


def test_project_creation_refusal_maps_to_upload_error(uploads: Uploads) -> None:
    wheel = make_wheel("asyncore")
    result = uploads.upload(wheel)
    assert result.status == 400
    assert "conflict with Python Standard Library module name" in result.message


def test_integrity_error_is_retried(uploads: Uploads, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import IntegrityError

    from pypidesk.index.upload import service

    real = service.process_upload
    calls: list[int] = []

    def racing(*args: object) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "process_upload", racing)
    assert uploads.upload(make_wheel()).status == 200
    assert len(calls) == 2

    def always(*args: object) -> str:
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(service, "process_upload", always)
    with pytest.raises(IntegrityError):
        uploads.upload(make_sdist())
    assert list(uploads.storage.tmp_dir.iterdir()) == []


def test_startup_sweep_finishes_a_committed_upload(uploads: Uploads) -> None:
    from pypidesk.index.upload.startup import open_storage

    wheel = make_wheel()
    assert uploads.upload(wheel).status == 200
    with uploads.database.read() as session:
        file = session.scalar(select(File))
    final = uploads.storage.root / file.path
    # A crash after the commit but before the rename leaves the staged copy only.
    final.rename(uploads.storage.tmp_dir / f"{file.blake2_256_digest}.file.0123")
    (uploads.storage.tmp_dir / "upload.dead").write_bytes(b"partial")
    open_storage(uploads.settings, uploads.database)
    assert final.read_bytes() == wheel.data
    assert list(uploads.storage.tmp_dir.iterdir()) == []


def test_attestations_need_trusted_publishing(uploads: Uploads) -> None:
    wheel = make_wheel()
    result = uploads.upload(wheel, wheel.form(attestations="[]"))
    assert (result.status, result.message) == (
        400,
        "Invalid attestations supplied during upload: Attestations are only supported when "
        "using Trusted Publishing",
    )
    assert uploads.counts() == (0, 0, 0, 0)


def test_empty_fields_count_as_absent_as_pdm_sends_them(uploads: Uploads) -> None:
    """pdm publish sends every metadata field a file lacks as an empty string."""
    wheel = make_wheel()
    empty = ("description_content_type", "home_page", "download_url", "license")
    fields = wheel.form(license_expression="", **dict.fromkeys(empty, ""))
    result = uploads.upload(wheel, fields)
    assert result.status == 200, result.message
    with uploads.database.read() as session:
        release = session.scalar(select(Release))
        assert (release.home_page, release.license, release.description_content_type) == (
            None,
            None,
            None,
        )
