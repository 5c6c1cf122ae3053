"""``admin import`` from folders, in process, against real records and a real file store."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from pypidesk.index.admin.import_metadata import MetadataUnreadable, upload_fields
from pypidesk.index.admin.import_run import Importer, OwnerError, Status, Summary, find_owner
from pypidesk.index.admin.import_sources import FolderSource, SourceError, SourceFile
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import File, Project, Release, Role
from pypidesk.index.settings import ServerSettings
from pypidesk.index.storage import LocalFileStorage
from pypidesk.index.upload.renderer import WorkerRenderer
from tests.index.factories import make_user
from tests.index.upload.dists import Dist, make_sdist, make_wheel

LONG_AGO = dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def write(folder: Path, dist: Dist, when: dt.datetime | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / dist.filename
    path.write_bytes(dist.data)
    if when is not None:
        os.utime(path, (when.timestamp(), when.timestamp()))
    return path


@pytest.fixture
def importer(
    database: Database, server_settings: ServerSettings, description_renderer: WorkerRenderer
) -> Importer:
    with database.write() as session:
        make_user(session, "alice")
    storage = LocalFileStorage(server_settings.packages_dir)
    owner = find_owner(database, "ALICE")
    return Importer(database, server_settings, storage, owner, description_renderer)


def run(importer: Importer, folder: Path) -> Summary:
    reported: list[str] = []
    totals: list[int] = []
    summary = importer.run(
        FolderSource(folder), Summary(), report=lambda o: reported.append(o.filename),
        started=totals.append,
    )  # fmt: skip
    assert reported == [outcome.filename for outcome in summary.outcomes]
    assert totals == [len(summary.outcomes)]
    return summary


def stored(database: Database) -> dict[str, tuple[str, str, dt.datetime]]:
    """filename -> (sha256, version, upload time) of every file in the index."""
    with database.read() as session:
        rows = session.execute(
            select(File.filename, File.sha256_digest, Release.version, File.upload_time).join(
                Release
            )
        )
        return {
            name: (sha, version, when.replace(tzinfo=dt.UTC)) for name, sha, version, when in rows
        }


def test_folder_per_project_and_flat_is_imported_with_hashes_versions_and_times(
    importer: Importer, tmp_path: Path
) -> None:
    source = tmp_path / "packages"
    dists = [
        make_sdist("demo-lib", "1.0"),
        make_wheel("demo-lib", "1.0"),
        make_wheel("demo-lib", "1.1"),
        make_wheel("tools-x", "0.9"),
    ]
    for number, dist in enumerate(dists[:3]):
        write(source / "demo-lib", dist, LONG_AGO + dt.timedelta(days=number))
    write(source, dists[3], LONG_AGO)
    (source / "index.html").write_text("not a distribution")
    (source / ".tmp").mkdir()
    write(source / ".tmp", make_wheel("hidden", "1.0"))

    summary = run(importer, source)

    assert summary.counts() == (4, 0, 0)
    files = stored(importer.database)
    assert set(files) == {d.filename for d in dists}
    for number, dist in enumerate(dists):
        sha, version, when = files[dist.filename]
        assert sha == hashlib.sha256(dist.data).hexdigest()
        assert version == dist.filename.split("-")[1].removesuffix(".tar.gz")
        assert when == LONG_AGO + dt.timedelta(days=number if number < 3 else 0)
    with importer.database.read() as session:
        release = session.scalar(select(Release).where(Release.version == "1.1"))
        assert release.created.replace(tzinfo=dt.UTC) == LONG_AGO + dt.timedelta(days=2)
        owners = session.execute(select(Project.name, Role.role_name).join(Role)).all()
        assert sorted(owners) == [("demo-lib", "Owner"), ("tools-x", "Owner")]


def test_a_second_import_imports_nothing(importer: Importer, tmp_path: Path) -> None:
    write(tmp_path / "src", make_wheel("demo-lib", "1.0"))
    assert run(importer, tmp_path / "src").counts() == (1, 0, 0)
    again = Importer(
        importer.database, importer.settings, importer.storage, importer.owner, importer.renderer
    )
    summary = run(again, tmp_path / "src")
    assert summary.counts() == (0, 1, 0)
    assert summary.outcomes[0].reason == "already in the index"


def test_corrupt_and_unreadable_files_are_refused_and_the_rest_imported(
    importer: Importer, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    good = make_wheel("demo-lib", "1.0")
    write(source, good)
    (source / "demo_lib-2.0-py3-none-any.whl").write_bytes(good.data[:100])
    (source / "demo_lib-3.0.tar.gz").write_bytes(b"not gzip")
    (source / "demo_lib-4.0.egg").write_bytes(b"egg")
    write(source, make_sdist("demo-lib", "5.0", skip=("demo_lib-5.0/PKG-INFO",)))
    write(source, make_wheel("demo-lib", "6.0", skip=("demo_lib-6.0.dist-info/METADATA",)))
    # Readable metadata, but the upload checks refuse the file (no RECORD).
    write(source, make_wheel("demo-lib", "7.0", skip=("demo_lib-7.0.dist-info/RECORD",)))

    summary = run(importer, source)

    assert summary.counts() == (1, 0, 6)
    reasons = {o.filename: o.reason for o in summary.refusals()}
    assert reasons["demo_lib-2.0-py3-none-any.whl"].startswith(
        "Invalid distribution file: not a readable zip archive"
    )
    assert reasons["demo_lib-3.0.tar.gz"].startswith(
        "Invalid distribution file: not a readable tar.gz archive"
    )
    assert reasons["demo_lib-4.0.egg"] == (
        "Invalid distribution file: not a wheel or an sdist (.whl, .tar.gz or .zip)"
    )
    assert reasons["demo_lib-5.0.tar.gz"] == "Invalid distribution file: no PKG-INFO in the sdist"
    assert reasons["demo_lib-6.0-py3-none-any.whl"] == (
        "Invalid distribution file: no demo_lib-6.0.dist-info/METADATA in the file"
    )
    assert reasons["demo_lib-7.0-py3-none-any.whl"].startswith(
        "Wheel 'demo_lib-7.0-py3-none-any.whl' does not contain the required RECORD file"
    )
    assert set(stored(importer.database)) == {good.filename}
    assert not list(importer.storage.tmp_dir.iterdir())


def test_a_hash_that_differs_from_the_source_is_refused_with_pypis_text(
    importer: Importer, tmp_path: Path
) -> None:
    path = write(tmp_path, make_wheel("demo-lib", "1.0"))
    file = SourceFile(path.name, str(path), sha256="0" * 64, md5="0" * 32)
    outcome = importer.import_one(FolderSource(tmp_path), file)
    assert outcome.status is Status.REFUSED
    assert outcome.reason == (
        "The digest supplied does not match a digest calculated from the uploaded file."
    )


def test_a_file_with_the_name_of_another_is_refused_not_skipped(
    importer: Importer, tmp_path: Path
) -> None:
    first = make_wheel("demo-lib", "1.0")
    write(tmp_path / "a", first)
    run(importer, tmp_path / "a")
    other = make_wheel("demo-lib", "1.0", payload=b"# other bytes\n")
    path = write(tmp_path / "b", other)
    sha = hashlib.sha256(other.data).hexdigest()
    file = SourceFile(path.name, str(path), sha)
    outcome = importer.import_one(FolderSource(tmp_path / "b"), file)
    assert outcome.status is Status.REFUSED
    assert outcome.reason.startswith("File already exists")


def test_a_file_gone_since_listing_and_one_too_large_are_refused(
    database: Database,
    server_settings: ServerSettings,
    tmp_path: Path,
    description_renderer: WorkerRenderer,
) -> None:
    with database.write() as session:
        make_user(session, "alice")
    small = ServerSettings(data_dir=server_settings.data_dir, max_file_size=1000)
    importer = Importer(
        database,
        small,
        LocalFileStorage(small.packages_dir),
        find_owner(database, "alice"),
        description_renderer,
    )
    source = FolderSource(tmp_path)
    gone = SourceFile("gone-1.0.tar.gz", str(tmp_path / "gone-1.0.tar.gz"))
    outcome = importer.import_one(source, gone)
    assert outcome.status is Status.REFUSED
    assert outcome.reason.startswith(f"cannot read {tmp_path / 'gone-1.0.tar.gz'}")
    big = write(tmp_path, make_wheel("demo-lib", "1.0", payload=os.urandom(4000)))
    outcome = importer.import_one(source, SourceFile(big.name, str(big)))
    assert (outcome.status, outcome.reason) == (Status.REFUSED, "File too large (over 0 MB).")


def test_more_new_projects_than_pypis_hourly_limit_and_old_releases_are_imported(
    importer: Importer, tmp_path: Path
) -> None:
    for number in range(22):
        write(tmp_path / "src", make_wheel(f"project-{number}", "1.0"), LONG_AGO)
    # A second file in a release older than 14 days: the import copies history.
    write(tmp_path / "src", make_sdist("project-0", "1.0"), LONG_AGO + dt.timedelta(days=30))
    assert run(importer, tmp_path / "src").counts() == (23, 0, 0)


def test_an_unknown_owner_and_a_missing_folder_are_errors(
    database: Database, tmp_path: Path
) -> None:
    with pytest.raises(OwnerError, match="No user named 'nobody'"):
        find_owner(database, "nobody")
    with pytest.raises(SourceError, match="is not a folder of distributions or an index URL"):
        FolderSource(tmp_path / "missing")


def test_zip_sdists_give_their_pkg_info_and_wheels_their_python_tag(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("demo_lib-1.0/demo_lib/__init__.py", "")
        archive.writestr("demo_lib-1.0/PKG-INFO", "Metadata-Version: 2.1\nName: demo-lib\n")
    (tmp_path / "demo_lib-1.0.zip").write_bytes(buffer.getvalue())
    fields = upload_fields(tmp_path / "demo_lib-1.0.zip", "demo_lib-1.0.zip")
    assert fields["name"] == ["demo-lib"]
    assert (fields["filetype"], fields["pyversion"]) == (["sdist"], ["source"])

    wheel = make_wheel(
        "demo-lib",
        "1.0",
        tag="py2.py3-none-any",
        members={
            "demo_lib-1.0.dist-info/METADATA": (
                b"Metadata-Version: 2.4\nName: demo-lib\nVersion: 1.0\nKeywords: a,b\n"
                b"Classifier: Private :: X\nProject-URL: Home, https://example.org\n"
                b"Platform: any\n\nThe description.\n"
            )
        },
    )
    path = write(tmp_path, wheel)
    fields = upload_fields(path, wheel.filename)
    assert fields["pyversion"] == ["py2.py3"]
    assert fields["keywords"] == ["a, b"]
    assert fields["classifiers"] == ["Private :: X"]
    assert fields["project_urls"] == ["Home, https://example.org"]
    assert fields["platform"] == ["any"]
    assert fields["description"] == ["The description.\n"]


def test_oversized_or_irregular_metadata_members_are_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "demo_lib-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("demo_lib-1.0/PKG-INFO")
        info.type = tarfile.DIRTYPE
        archive.addfile(info)
    with pytest.raises(MetadataUnreadable, match="is not a readable file"):
        upload_fields(path, path.name)
    big = tmp_path / "demo_lib-1.0-py3-none-any.whl"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("demo_lib-1.0.dist-info/METADATA", b"x" * (16 * 1024 * 1024 + 1))
    with pytest.raises(MetadataUnreadable, match="is too large"):
        upload_fields(big, big.name)
