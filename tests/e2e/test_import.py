"""``pypidesk admin import`` end to end: from a real pypiserver, a live pypidesk and a folder.

The CLI runs in this process (``pypidesk.cli.main``), the indexes it reads are
real servers on loopback, and pip installs what was imported from a live
``pypidesk serve`` on the same data dir.
"""

from __future__ import annotations

import _thread
import datetime as dt
import functools
import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pypidesk.cli import main
from pypidesk.index.admin.import_sources import IndexSource, SourceError, SourceFile
from pypidesk.index.db.models import File, Release
from pypidesk.index.settings import ServerSettings
from tests.client.live_indexes import PypiServer, admin, demo_dists
from tests.conftest import LiveServer
from tests.e2e import installers
from tests.index.factories import PASSWORD, open_database
from tests.index.upload.dists import Dist, make_wheel

pytestmark = pytest.mark.e2e


def new_index(root: Path) -> Path:
    data_dir = root / "data"
    data_dir.mkdir(parents=True)
    admin(data_dir, "create-user", "alice", "--email", "alice@example.org", stdin=PASSWORD)
    return data_dir


def run_import(
    data_dir: Path, source: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = main(["admin", "--data-dir", str(data_dir), "import", source, "--owner", "alice"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def stored(data_dir: Path) -> dict[str, tuple[str, str, dt.datetime]]:
    database = open_database(ServerSettings(data_dir=data_dir))
    try:
        with database.read() as session:
            rows = session.execute(
                select(File.filename, File.sha256_digest, Release.version, File.upload_time)
                .join(Release)
            )  # fmt: skip
            return {n: (s, v, t.replace(tzinfo=dt.UTC)) for n, s, v, t in rows}
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def pypiserver_with_a_corrupt_file(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PypiServer, list[Dist]]]:
    """pypiserver on a folder laid out by hand: demo-lib's files and one truncated wheel."""
    root = tmp_path_factory.mktemp("pypiserver-import")
    packages = root / "packages"
    dists = [d for version in ("1.0", "1.1") for d in demo_dists()[version]]
    (packages / "demo-lib").mkdir(parents=True)
    for dist in dists:
        (packages / "demo-lib" / dist.filename).write_bytes(dist.data)
    broken = make_wheel("demo-lib", "9.0")
    (packages / broken.filename).write_bytes(broken.data[:200])
    server = PypiServer(packages)
    try:
        yield server, dists
    finally:
        server.stop()


def test_import_from_pypiserver_then_pip_installs_it_and_a_rerun_imports_nothing(
    pypiserver_with_a_corrupt_file: tuple[PypiServer, list[Dist]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, dists = pypiserver_with_a_corrupt_file
    data_dir = new_index(tmp_path)

    code, out, _ = run_import(data_dir, server.url + "/simple/", capsys)

    assert code == 1  # one file refused
    lines = out.splitlines()
    assert lines[0] == "Imported 3 files, skipped 0 (already in the index), refused 1."
    assert lines[1].startswith("  refused demo_lib-9.0-py3-none-any.whl: Invalid distribution")
    files = stored(data_dir)
    assert {name: sha for name, (sha, _, _) in files.items()} == {
        d.filename: hashlib.sha256(d.data).hexdigest() for d in dists
    }
    assert sorted({version for _, version, _ in files.values()}) == ["1.0", "1.1"]
    # pypiserver has no upload-time; its downloads' Last-Modified is the file's time.
    mtime = (server.packages / "demo-lib" / dists[0].filename).stat().st_mtime
    assert files[dists[0].filename][2] == dt.datetime.fromtimestamp(int(mtime), dt.UTC)

    code, out, _ = run_import(data_dir, server.url + "/simple", capsys)
    assert out.splitlines()[0] == "Imported 0 files, skipped 3 (already in the index), refused 1."

    live = LiveServer(data_dir)
    try:
        live.wait_healthy()
        env = installers.clean_env(tmp_path / "home")
        python = installers.fresh_venv(tmp_path / "venv", env)
        installers.pip(python, env, "install", "--index-url", live.url + "/simple/", "demo-lib")
        listed = installers.pip(python, env, "list", "--format", "freeze")
        assert "demo-lib==1.1" in listed
    finally:
        live.stop()


def test_import_from_another_pypidesk_keeps_pep_700_upload_times(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = new_index(tmp_path / "first")
    folder = tmp_path / "folder"
    folder.mkdir()
    wheel = make_wheel("demo-lib", "1.0")
    (folder / wheel.filename).write_bytes(wheel.data)
    assert run_import(first, str(folder), capsys)[0] == 0
    source = LiveServer(first)
    try:
        source.wait_healthy()
        second = new_index(tmp_path / "second")
        code, out, _ = run_import(second, source.url + "/simple/", capsys)
    finally:
        source.stop()
    assert (code, out) == (0, "Imported 1 files, skipped 0 (already in the index), refused 0.\n")
    assert stored(second) == stored(first)


class StaticIndex:
    """A static file tree served by ``http.server``: the simplest Simple API index there is."""

    def __init__(self, root: Path) -> None:
        self.root = root
        handler = functools.partial(_Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.on_file = None  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def send_header(self, keyword: str, value: str) -> None:
        if keyword == "Last-Modified" and "odd" in self.path:
            value = "not a date"
        super().send_header(keyword, value)

    def do_GET(self) -> None:
        on_file = self.server.on_file  # type: ignore[attr-defined]
        if on_file is not None and self.path.endswith(".whl"):
            on_file()
        super().do_GET()


@pytest.fixture
def static_index(tmp_path: Path) -> Iterator[tuple[StaticIndex, Dist]]:
    root = tmp_path / "static"
    wheel = make_wheel("demo-lib", "1.0")
    odd = make_wheel("odd", "1.0")
    sha = hashlib.sha256(wheel.data).hexdigest()
    (root / "files").mkdir(parents=True)
    (root / "files" / wheel.filename).write_bytes(wheel.data)
    (root / "files" / odd.filename).write_bytes(odd.data)
    (root / "simple" / "demo-lib").mkdir(parents=True)
    (root / "simple" / "odd").mkdir(parents=True)
    (root / "simple" / "index.html").write_text(
        '<a href="demo-lib/">demo-lib</a><a href="odd/">odd</a><a href="gone/">gone</a>'
    )
    (root / "simple" / "demo-lib" / "index.html").write_text(
        f'<a href="../../files/{wheel.filename}#sha256={sha}">{wheel.filename}</a>'
        '<a href="../../files/demo_lib-2.0-py3-none-any.whl">demo_lib-2.0-py3-none-any.whl</a>'
        '<a href="http://127.0.0.1:9/demo_lib-3.0.tar.gz">demo_lib-3.0.tar.gz</a>'
        '<a href="../../files/README.txt">README.txt</a>'
    )
    (root / "simple" / "odd" / "index.html").write_text(
        f'<a href="../../files/{odd.filename}">{odd.filename}</a>'
    )
    index = StaticIndex(root)
    try:
        yield index, wheel
    finally:
        index.close()


def test_a_static_index_with_missing_pages_and_files_reports_each(
    static_index: tuple[StaticIndex, Dist], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, wheel = static_index
    data_dir = new_index(tmp_path)
    code, out, _ = run_import(data_dir, index.url + "/simple/", capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "Imported 2 files, skipped 0 (already in the index), refused 3."
    assert f"  refused gone: {index.url}/simple/gone/ answered 404." in lines
    assert (
        f"  refused demo_lib-2.0-py3-none-any.whl: {index.url}/files/"
        "demo_lib-2.0-py3-none-any.whl answered 404" in lines
    )
    assert any(
        line.startswith("  refused demo_lib-3.0.tar.gz: http://127.0.0.1:9/demo_lib-3.0.tar.gz "
                        "could not be downloaded")
        for line in lines
    )  # fmt: skip
    files = stored(data_dir)
    # The file's Last-Modified is its upload time; a date that does not parse is none.
    mtime = (index.root / "files" / wheel.filename).stat().st_mtime
    assert files[wheel.filename][2] == dt.datetime.fromtimestamp(int(mtime), dt.UTC)
    assert "odd-1.0-py3-none-any.whl" in files


def test_an_index_that_does_not_answer_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = new_index(tmp_path)
    code, _, err = run_import(data_dir, "http://127.0.0.1:9/simple/", capsys)
    assert code == 1
    assert err.strip().startswith(
        "pypidesk admin import: error: http://127.0.0.1:9/simple/ did not answer"
    )
    code, _, err = run_import(data_dir, str(tmp_path / "nowhere"), capsys)
    assert code == 1
    assert "is not a folder of distributions or an index URL" in err
    code = main(["admin", "--data-dir", str(data_dir), "import", str(tmp_path), "--owner", "bob"])
    assert code == 1
    assert "No user named 'bob'" in capsys.readouterr().err


def test_an_interrupted_import_says_what_it_did_and_the_rerun_finishes_it(
    static_index: tuple[StaticIndex, Dist], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, wheel = static_index
    data_dir = new_index(tmp_path)
    # Ctrl-C arrives while the first wheel is being downloaded.
    index.httpd.on_file = _thread.interrupt_main  # type: ignore[attr-defined]
    code, out, _ = run_import(data_dir, index.url + "/simple/", capsys)
    assert code == 130
    assert out.splitlines()[-1] == ("Interrupted; run the same command again to import the rest.")
    assert wheel.filename not in stored(data_dir)
    assert not list((data_dir / "packages" / ".tmp").iterdir())
    index.httpd.on_file = None  # type: ignore[attr-defined]
    code, out, _ = run_import(data_dir, index.url + "/simple/", capsys)
    assert wheel.filename in stored(data_dir)


def test_index_source_reads_pep_691_json_and_credentials_from_the_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = new_index(tmp_path)
    folder = tmp_path / "folder"
    folder.mkdir()
    wheel = make_wheel("demo-lib", "1.0")
    (folder / wheel.filename).write_bytes(wheel.data)
    run_import(data_dir, str(folder), capsys)
    server = LiveServer(data_dir, ["--require-auth-for-reads"])
    try:
        server.wait_healthy()
        netloc = server.url.removeprefix("http://")
        source = IndexSource(f"http://alice:{PASSWORD.replace(' ', '%20')}@{netloc}/simple")
        try:
            files = source.files()
        finally:
            source.close()
        anonymous = IndexSource(server.url + "/simple/")
        try:
            with pytest.raises(SourceError, match="answered 401"):
                anonymous.project_names()
        finally:
            anonymous.close()
    finally:
        server.stop()
    assert [(f.filename, f.sha256) for f in files] == [
        (wheel.filename, hashlib.sha256(wheel.data).hexdigest())
    ]
    assert isinstance(files[0], SourceFile)
    assert files[0].upload_time is not None
