"""``serve --workers N``: every worker serves what was just written."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pypidesk.cli import main
from pypidesk.index.serving.workers import settings_from_json, settings_to_json
from pypidesk.index.settings import ServerSettings
from tests.conftest import LiveServer
from tests.index import factories

pytestmark = pytest.mark.e2e


def test_settings_survive_the_trip_to_a_worker(tmp_path: Path) -> None:
    settings = ServerSettings(
        data_dir=tmp_path, database_url="sqlite:///x.db", require_auth_for_reads=True
    )
    assert settings_from_json(settings_to_json(settings)) == settings
    with_secret = ServerSettings(data_dir=tmp_path, secret_key_file=tmp_path / "k")
    assert settings_from_json(settings_to_json(with_secret)) == with_secret
    purging = ServerSettings(
        data_dir=tmp_path, purge_urls=("http://a/", "http://b/"), purge_path_urls=("http://c/",)
    )
    assert settings_from_json(settings_to_json(purging)) == purging


def test_every_worker_serves_the_latest_write(data_dir: Path) -> None:
    settings = ServerSettings(data_dir=data_dir)
    database = factories.open_database(settings)
    server = LiveServer(data_dir, ["--workers", "2"])
    try:
        server.wait_healthy()
        for round_number in range(2):
            version = f"1.{round_number}"
            with database.write() as session:
                factories.publish(session, settings, "multi", version, sdist=False)
            # A new connection per request spreads them over both workers.
            for _ in range(10):
                page = httpx.get(
                    f"{server.url}/simple/multi/",
                    headers={"Accept": "application/vnd.pypi.simple.v1+json"},
                ).json()
                assert page["versions"][-1] == version
                json_api = httpx.get(f"{server.url}/pypi/multi/json").json()
                assert json_api["info"]["version"] == version
    finally:
        database.dispose()
        assert server.stop() == 0
    assert server.log_path.read_text().count("Started server process") == 2


def test_workers_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--workers", "0"])
    assert exited.value.code == 2
    assert "0 is not a number of workers (1 or more)" in capsys.readouterr().err
