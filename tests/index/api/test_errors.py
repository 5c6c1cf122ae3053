"""The API's error shape applies under its prefix only."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from pypidesk.index.api import errors


def _app() -> FastAPI:
    app = FastAPI()
    errors.install(app, "/api/v1")

    @app.get("/api/v1/number/{value}")
    def api_number(value: int) -> int:
        return value

    @app.get("/other/{value}")
    def other_number(value: int) -> int:
        return value

    return app


def test_validation_errors_are_shaped_only_under_the_prefix() -> None:
    with TestClient(_app()) as client:
        ours = client.get("/api/v1/number/x")
        assert ours.status_code == 422
        assert ours.json() == {
            "message": "Invalid request: path.value: Input should be a valid integer, "
            "unable to parse string as an integer.",
            "code": "invalid_request",
        }
        theirs = client.get("/other/x")
        assert theirs.status_code == 422
        assert theirs.json()["detail"][0]["loc"] == ["path", "value"]
