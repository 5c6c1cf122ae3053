"""Real clients against a live ``pypidesk serve``: pip, uv, pypi-simple, XML-RPC, bandersnatch.

One server and one data set for the module keep it fast; every install runs in
its own fresh virtual environment with a clean pip/uv configuration.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import httpx
import pypi_simple
import pytest

from pypidesk.index.settings import ServerSettings
from tests.conftest import LiveServer
from tests.e2e import installers
from tests.index import factories

pytestmark = pytest.mark.e2e

# bandersnatch 8 needs Python >= 3.12, so it lives in a venv of its own (see
# .ci/run); the variable lets CI point the test at another place.
BANDERSNATCH_VENV = Path(
    os.environ.get("PYPIDESK_TEST_BANDERSNATCH_VENV", "/tmp/pypidesk-bandersnatch")
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("read-e2e") / "data"
    settings = ServerSettings(data_dir=data_dir)
    database = factories.open_database(settings)
    with database.write() as session:
        factories.publish(session, settings, "greet", "1.0", requires_python=">=3.8")
        # Requires a Python that does not exist yet: every installer must skip it.
        factories.publish(session, settings, "greet", "1.5", requires_python=">=4")
        yanked = factories.publish(session, settings, "greet", "2.0")
        factories.yank(session, yanked, "do not use")
        project = factories.add_project(session, "app")
        release = factories.add_release(session, project, "1.0")
        wheel = factories.build_wheel("app", "1.0", requires_dist=("greet",))
        factories.add_file(session, settings, release, wheel)
    database.dispose()
    live = LiveServer(data_dir)
    try:
        live.wait_healthy()
        yield live
    finally:
        live.stop()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return installers.clean_env(tmp_path / "home")


def installed(python: Path, env: dict[str, str]) -> dict[str, str]:
    out = installers.run([str(python), "-c", _LIST_DISTS], env)
    return json.loads(out)


_LIST_DISTS = (
    "import json, importlib.metadata as m;"
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
)


def access_log(server: LiveServer) -> list[str]:
    return re.findall(r'"GET (\S+) HTTP', server.log_path.read_text())


def test_pip_install_honours_requires_python_and_yank(
    server: LiveServer, env: dict[str, str], tmp_path: Path
) -> None:
    python = installers.fresh_venv(tmp_path / "venv", env)
    index = f"{server.url}/simple/"
    installers.pip(python, env, "install", "--index-url", index, "greet")
    assert installed(python, env)["greet"] == "1.0"
    # A yanked release installs when pinned exactly (PEP 592).
    out = installers.pip(python, env, "install", "--index-url", index, "greet==2.0")
    assert installed(python, env)["greet"] == "2.0"
    assert "do not use" in out
    imported = installers.run([str(python), "-c", "import greet; print(greet.VALUE)"], env)
    assert imported.strip() == "1"


def test_pip_download_checks_hashes(
    server: LiveServer, env: dict[str, str], tmp_path: Path
) -> None:
    python = installers.fresh_venv(tmp_path / "venv", env)
    urls = httpx.get(f"{server.url}/pypi/greet/1.0/json").json()["urls"]
    wheel = next(u for u in urls if u["packagetype"] == "bdist_wheel")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"greet==1.0 --hash=sha256:{wheel['digests']['sha256']}\n")
    dest = tmp_path / "dl"
    installers.pip(
        python, env, "download", "--index-url", f"{server.url}/simple/", "-d", str(dest),
        "--no-deps", "--only-binary", ":all:", "--require-hashes", "-r", str(requirements),
    )  # fmt: skip
    (downloaded,) = dest.iterdir()
    assert downloaded.name == wheel["filename"]
    assert hashlib.sha256(downloaded.read_bytes()).hexdigest() == wheel["digests"]["sha256"]


def test_pip_resolves_from_metadata_files(
    server: LiveServer, env: dict[str, str], tmp_path: Path
) -> None:
    python = installers.fresh_venv(tmp_path / "venv", env)
    before = len(access_log(server))
    report = tmp_path / "report.json"
    installers.pip(
        python, env, "install", "--dry-run", "--ignore-installed", "--report", str(report),
        "--index-url", f"{server.url}/simple/", "app",
    )  # fmt: skip
    resolved = {
        item["metadata"]["name"]: item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    assert resolved == {"app": "1.0", "greet": "1.0"}
    requests = access_log(server)[before:]
    assert any(r.endswith("app-1.0-py3-none-any.whl.metadata") for r in requests)
    assert any(r.endswith("greet-1.0-py3-none-any.whl.metadata") for r in requests)
    assert not any(r.endswith(".whl") for r in requests), requests


def test_uv_pip_install(server: LiveServer, env: dict[str, str], tmp_path: Path) -> None:
    python = installers.fresh_venv(tmp_path / "venv", env)
    index = f"{server.url}/simple/"
    installers.uv_pip(python, env, "install", "--index-url", index, "app")
    assert installed(python, env) == {"app": "1.0", "greet": "1.0"}
    installers.uv_pip(python, env, "install", "--index-url", index, "greet==2.0")
    assert installed(python, env)["greet"] == "2.0"


@pytest.mark.parametrize("accept", [pypi_simple.ACCEPT_JSON_ONLY, pypi_simple.ACCEPT_HTML_ONLY])
def test_pypi_simple_parses_both_formats(server: LiveServer, tmp_path: Path, accept: str) -> None:
    with pypi_simple.PyPISimple(endpoint=f"{server.url}/simple/", accept=accept) as client:
        index = client.get_index_page()
        assert index.projects == ["app", "greet"]
        page = client.get_project_page("greet")
        assert page.repository_version == "1.4"
        assert page.status == pypi_simple.ProjectStatus.ACTIVE
        assert len(page.packages) == 6
        for package in page.packages:
            # download_package verifies the advertised digests against the bytes.
            target = tmp_path / accept[:20] / package.filename
            client.download_package(package, target, verify=True)
            sha256 = hashlib.sha256(target.read_bytes()).hexdigest()
            assert sha256 == package.digests["sha256"]
            if package.has_metadata:
                metadata = client.get_package_metadata(package, verify=True)
                assert f"Version: {package.version}" in metadata
        yanked = [p for p in page.packages if p.is_yanked]
        assert {p.version for p in yanked} == {"2.0"}
        assert {p.yanked_reason for p in yanked} == {"do not use"}
        assert {p.requires_python for p in page.packages if p.version == "1.5"} == {">=4"}


def test_xmlrpc_with_an_old_style_client(server: LiveServer) -> None:
    with xmlrpc.client.ServerProxy(f"{server.url}/pypi") as proxy:
        last = proxy.changelog_last_serial()
        listing = proxy.list_packages_with_serial()
        assert set(listing) == {"greet", "app"}
        assert max(listing.values()) == last
        entries = proxy.changelog_since_serial(0)
        assert [entry[4] for entry in entries] == list(range(1, last + 1))
        assert entries[0][:1] + entries[0][3:4] == ["greet", "create"]
        with pytest.raises(xmlrpc.client.Fault, match="Use Simple API instead"):
            proxy.list_packages()
    with xmlrpc.client.ServerProxy(f"{server.url}/RPC2") as rpc2:
        assert rpc2.changelog_since_serial(last - 1)[0][4] == last


def _bandersnatch() -> Path:
    executable = BANDERSNATCH_VENV / "bin" / "bandersnatch"
    if not executable.exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"CI must provide bandersnatch at {BANDERSNATCH_VENV} (scripts/setup --test)"
            )
        pytest.skip(
            f"bandersnatch is not installed at {BANDERSNATCH_VENV}; install it with "
            f"/root/.pyenv/versions/3.12.1/bin/python -m venv {BANDERSNATCH_VENV} && "
            f"{BANDERSNATCH_VENV}/bin/pip install 'bandersnatch>=8'"
        )
    return executable


def test_bandersnatch_mirrors_with_matching_hashes(
    server: LiveServer, env: dict[str, str], tmp_path: Path
) -> None:
    executable = _bandersnatch()
    mirror = tmp_path / "mirror"
    config = tmp_path / "bandersnatch.conf"
    config.write_text(
        f"[mirror]\ndirectory = {mirror}\nmaster = {server.url}\nallow-non-https = true\n"
        "json = true\nrelease-files = true\ncore-metadata = true\ntimeout = 10\n"
        "global-timeout = 60\nworkers = 1\nhash-index = false\nstop-on-error = true\n"
        "storage-backend = filesystem\nverifiers = 1\ncompare-method = hash\n"
        "simple-format = ALL\n\n[plugins]\nenabled =\n    allowlist_project\n\n"
        "[allowlist]\npackages =\n    greet\n"
    )
    result = subprocess.run(
        [str(executable), "--config", str(config), "mirror"],
        check=False, env=env, capture_output=True, text=True, timeout=100,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    detail = httpx.get(
        f"{server.url}/pypi/greet/json", headers={"Accept": "application/json"}
    ).json()
    expected = {f["filename"]: f for files in detail["releases"].values() for f in files}
    mirrored = {p.name: p for p in (mirror / "web" / "packages").rglob("*") if p.is_file()}
    wanted = set(expected) | {f"{n}.metadata" for n, f in expected.items() if f["core-metadata"]}
    assert wanted <= set(mirrored)
    for name, file in expected.items():
        assert hashlib.sha256(mirrored[name].read_bytes()).hexdigest() == file["digests"]["sha256"]
        if file["core-metadata"]:
            digest = hashlib.sha256(mirrored[f"{name}.metadata"].read_bytes()).hexdigest()
            assert digest == file["core-metadata"]["sha256"]
    assert not any(p.name.startswith("app") for p in mirrored.values())
    status = (mirror / "status").read_text().strip()
    assert int(status) == int(httpx.get(f"{server.url}/simple/").headers["x-pypi-last-serial"])
    simple_page = (mirror / "web" / "simple" / "greet" / "index.html").read_text()
    assert "greet-1.0-py3-none-any.whl" in simple_page
