"""pip and uv against ``serve --require-auth-for-reads``, credentials in the index URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pypidesk.index.records import accounts
from pypidesk.index.settings import ServerSettings
from tests.conftest import LiveServer
from tests.e2e import installers
from tests.index import factories
from tests.index.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    data_dir = tmp_path_factory.mktemp("private") / "data"
    settings = ServerSettings(data_dir=data_dir)
    database = factories.open_database(settings)
    with database.write() as session:
        user = make_user(session, "reader")
        release = factories.publish(session, settings, "inhouse", "1.0")
        token = accounts.create_token(session, settings, user, "ci", projects=[release.project])
    database.dispose()
    server = LiveServer(data_dir, ["--require-auth-for-reads"])
    try:
        server.wait_healthy()
        yield server, token
    finally:
        server.stop()


def test_pip_with_password_in_url(private: tuple[LiveServer, str], tmp_path: Path) -> None:
    server, _ = private
    env = installers.clean_env(tmp_path / "home")
    python = installers.fresh_venv(tmp_path / "venv", env)
    netloc = server.url.removeprefix("http://")
    index = f"http://reader:{PASSWORD.replace(' ', '%20')}@{netloc}/simple/"
    installers.pip(python, env, "install", "--index-url", index, "inhouse")
    assert installers.run([str(python), "-c", "import inhouse"], env) == ""


def test_uv_with_project_token(private: tuple[LiveServer, str], tmp_path: Path) -> None:
    server, token = private
    env = installers.clean_env(tmp_path / "home")
    python = installers.fresh_venv(tmp_path / "venv", env)
    index = f"http://__token__:{token}@{server.url.removeprefix('http://')}/simple/"
    installers.uv_pip(python, env, "install", "--index-url", index, "inhouse")
    assert installers.run([str(python), "-c", "import inhouse"], env) == ""


def test_anonymous_pip_is_refused(private: tuple[LiveServer, str], tmp_path: Path) -> None:
    server, _ = private
    env = installers.clean_env(tmp_path / "home")
    python = installers.fresh_venv(tmp_path / "venv", env)
    with pytest.raises(AssertionError, match=r"from versions: none"):
        installers.pip(python, env, "install", "--index-url", f"{server.url}/simple/", "inhouse")
    assert '"GET /simple/inhouse/ HTTP/1.1" 401' in server.log_path.read_text()
