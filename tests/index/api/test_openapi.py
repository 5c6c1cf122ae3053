"""/openapi.json is a valid schema, and schemathesis finds the live API true to it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openapi_spec_validator import validate

from tests.index.api.conftest import Index

ERRORS = {"400", "401", "403", "404", "409", "422", "429"}


def test_schema_is_valid_and_documents_errors_and_auth(index: Index) -> None:
    schema = index.http.get(index.server.url + "/openapi.json").json()
    validate(schema)
    assert set(schema["components"]["securitySchemes"]) == {"password", "token"}
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
    ]
    assert len(operations) == 26
    for path, method, operation in operations:
        assert set(operation["responses"]) >= ERRORS, (method, path)
        error = operation["responses"]["422"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/ErrorBody"}
        public = path in ("/api/v1/flags", "/api/v1/sign-in", "/api/v1/register")
        assert ("security" in operation) is not public, (method, path)


def test_errors_outside_the_api_keep_their_own_shape(index: Index) -> None:
    assert index.http.get(index.server.url + "/nope").json() == {"detail": "Not Found"}
    not_found = index.http.get("/nope")
    assert not_found.json() == {"message": "Not Found", "code": "not_found"}
    wrong_method = index.http.put("/account/tokens")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "GET, POST"
    assert wrong_method.json()["code"] == "method_not_allowed"
    control = index.http.post(
        "/sign-in", json={"username": "x", "password": "y", "token_name": "a\x00b"}
    )
    assert control.status_code == 422
    assert control.json()["message"].startswith("Invalid request: body.token_name: String")
    invalid = index.http.post("/sign-in", json={"username": "x"})
    assert invalid.status_code == 422
    assert invalid.json() == {
        "message": "Invalid request: body.password: Field required; "
        "body.token_name: Field required.",
        "code": "invalid_request",
    }


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    index: Index, tmp_path: Path
) -> None:
    index.user("alice")
    index.records.project("spam", owners=("alice",))
    index.records.release("spam", "1.0", filenames=("spam-1.0.tar.gz",))
    token = index.token("alice", "schemathesis")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "UV_", "SCHEMATHESIS_", "HYPOTHESIS_"))
    }
    env["HOME"] = str(tmp_path)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "run",
            index.server.url + "/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--include-path-regex",
            "^/api/v1/",
            "--phases",
            "examples,coverage,fuzzing",
            "--checks",
            "all",
            # A 429 after ten failed passwords is the documented answer to a
            # guesser; this check wants 401 for every bad credential.
            "--exclude-checks",
            "ignored_auth",
            "--max-examples",
            "5",
            "--workers",
            "1",
            "--seed",
            "20261125",
            "--no-color",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
