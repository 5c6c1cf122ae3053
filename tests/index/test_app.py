"""The app factory hands every request the process's settings and records."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from starlette.requests import Request

from pypidesk.index.app import create_app
from pypidesk.index.db.engine import Database
from pypidesk.index.serving.dependencies import get_database, get_settings
from pypidesk.index.settings import ServerSettings


def test_requests_see_the_settings_and_database(server_settings: ServerSettings) -> None:
    app = create_app(server_settings)
    with TestClient(app):
        request = Request({"type": "http", "app": app})
        assert get_settings(request) is server_settings
        assert isinstance(get_database(request), Database)


def test_settings_place_records_and_files_in_the_data_dir(data_dir: Path) -> None:
    settings = ServerSettings(data_dir=data_dir)
    assert settings.resolved_database_url == f"sqlite:///{data_dir / 'pypidesk.sqlite3'}"
    assert settings.packages_dir == data_dir / "packages"
    elsewhere = ServerSettings(data_dir=data_dir, database_url="postgresql+psycopg://h/db")
    assert elsewhere.resolved_database_url == "postgresql+psycopg://h/db"


def test_the_openapi_schema_names_the_server(server_settings: ServerSettings) -> None:
    with TestClient(create_app(server_settings)) as client:
        schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "pypidesk index"
    assert "/_health" in schema["paths"]
