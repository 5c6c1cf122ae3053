"""The real twine and uv against a real ``pypidesk serve``: uploads and PyPI's error texts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pypidesk.index.db.models import File, JournalEntry
from tests.conftest import LiveServer
from tests.e2e.upload_helpers import Accounts, twine, uv_publish, write_dists
from tests.index.upload.dists import make_sdist, make_wheel

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(data_dir: Path) -> Iterator[LiveServer]:
    live = LiveServer(data_dir, ["--max-file-size", "1"])
    try:
        live.wait_healthy()
        yield live
    finally:
        live.stop()


@pytest.fixture
def people(data_dir: Path) -> Iterator[Accounts]:
    accounts = Accounts(data_dir)
    accounts.user("alice")
    accounts.user("bob")
    yield accounts
    accounts.close()


def snapshot(people: Accounts, data_dir: Path) -> tuple[int, int, list[str]]:
    with people.database.read() as session:
        files = session.scalar(select(func.count()).select_from(File))
        serial = session.scalar(select(func.max(JournalEntry.id)))
    stored = sorted(str(p) for p in (data_dir / "packages").rglob("*") if p.is_file())
    return files, serial, stored


def test_twine_uploads_and_reuploads_uv_skips(
    server: LiveServer, people: Accounts, tmp_path: Path, data_dir: Path
) -> None:
    token = people.token("alice", "ci")
    files = write_dists(tmp_path / "dist", make_wheel(), make_sdist())
    first = twine(server.url, files, home=tmp_path, password=token)
    assert first.returncode == 0, first.stdout + first.stderr
    before = snapshot(people, data_dir)
    assert before[0] == 2
    again = twine(server.url, files, home=tmp_path, password=token)
    assert again.returncode == 0, again.stdout + again.stderr
    assert snapshot(people, data_dir) == before
    published = uv_publish(server.url, files, home=tmp_path, token=token)
    assert published.returncode == 0, published.stdout + published.stderr
    assert snapshot(people, data_dir) == before


def output_of(result: object) -> str:
    return " ".join((result.stdout + result.stderr).split())  # type: ignore[attr-defined]


def test_twine_prints_pypi_texts(server: LiveServer, people: Accounts, tmp_path: Path) -> None:
    alice = people.token("alice", "ci")
    bob = people.token("bob", "ci")
    counter = iter(range(100))

    def fails(dist: object, expected: str, **kwargs: object) -> None:
        (path,) = write_dists(tmp_path / f"d{next(counter)}", dist)  # type: ignore[arg-type]
        kwargs.setdefault("password", alice)
        result = twine(server.url, [path], home=tmp_path, **kwargs)  # type: ignore[arg-type]
        assert result.returncode != 0
        # twine prints "HTTPError: <status> <standard phrase> from <url>" and then
        # the server's reason phrase, which carries PyPI's text.
        status, _, text = expected.partition(" ")
        output = output_of(result)
        assert f"HTTPError: {status} " in output, output
        assert f"/legacy/ {text}" in output, output

    help_url = "https://pypi.org/help/"
    wheel = make_wheel()
    fails(
        wheel,
        "403 Username/Password authentication is no longer supported. Migrate to API Tokens or "
        f"Trusted Publishers instead. See {help_url}#apitoken and {help_url}#trusted-publishers",
        username="alice",
        password="correct horse battery",
    )
    invalid_auth = (
        f"403 Invalid or non-existent authentication information. See {help_url}#invalid-auth "
        "for more information."
    )
    fails(wheel, invalid_auth, password="pypi-notatoken")
    expired = people.token("alice", "old")
    people.expire("alice", "old")
    fails(wheel, "403 Invalid API Token: token is expired", password=expired)

    (good,) = write_dists(tmp_path / "good", wheel, make_sdist("other-pkg"))[:1]
    assert twine(server.url, [good], home=tmp_path, password=alice).returncode == 0
    other = write_dists(tmp_path / "other", make_sdist("other-pkg"))
    assert twine(server.url, other, home=tmp_path, password=alice).returncode == 0
    scoped = people.token("alice", "scoped", projects=["other-pkg"])
    fails(
        make_sdist(),
        "403 Invalid API Token: project-scoped token is not valid for project: 'tiny-pkg'",
        password=scoped,
    )
    fails(
        make_sdist(),
        f"403 The user 'bob' isn't allowed to upload to project 'tiny-pkg'. See {help_url}"
        "#project-name for more information.",
        password=bob,
    )
    changed = make_wheel(payload=b"# changed")
    fails(
        changed,
        f"400 File already exists ('{changed.filename}', with blake2_256 hash",
    )
    fails(
        make_wheel(version="1.0+local"),
        "400 The use of local versions in '1.0+local' is not allowed.",
    )
    fails(
        make_sdist(version="5.0", filename="Tiny_Pkg-5.0.tar.gz"),
        "400 Filename 'Tiny_Pkg-5.0.tar.gz' is invalid, should be 'tiny_pkg-5.0.tar.gz'.",
    )
    fails(
        make_wheel(version="2.0", tag="cp312-cp312-linux_x86_64"),
        "400 Binary wheel 'tiny_pkg-2.0-cp312-cp312-linux_x86_64.whl' has an unsupported "
        "platform tag 'linux_x86_64'.",
    )
    fails(
        make_wheel(version="2.1"),
        "400 The digest supplied does not match a digest calculated from the uploaded file.",
        patch="wrong-digest",
    )
    assert (
        twine(
            server.url, write_dists(tmp_path / "s", make_sdist()), home=tmp_path, password=alice
        ).returncode
        == 0
    )
    fails(
        make_sdist(version="1.0.0"),
        "400 Only one sdist may be uploaded per release.",
    )
    fails(
        make_wheel(version="3.0", payload=os.urandom(3 * 1024 * 1024)),
        "400 File too large. Limit for project 'tiny-pkg' is 1 MB. See "
        "https://docs.pypi.org/project-management/storage-limits",
    )
    source = write_dists(tmp_path / "src", make_wheel(version="4.0"))[0]
    not_zip = make_wheel(version="4.0")
    not_zip.data = b"this is not a zip file"
    fails(
        not_zip,
        "400 Invalid distribution file. File is not a zipfile",
        patch=f"metadata-from:{source}",
    )
