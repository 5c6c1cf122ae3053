"""Hypothesis: any JSON body and header values, to every endpoint: 4xx problems, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pypidesk.index.app import create_app
from pypidesk.index.settings import ServerSettings
from tests.index.staging.stager import Stager
from tests.index.upload.dists import make_wheel

UPLOAD_TYPE = "application/vnd.pypi.upload.v2+json"
ROOT = "/upload/2.0-draft/"
KEYS = ["name", "version", "filename", "size", "hashes", "mechanism", "extend-for", "meta"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"meta": st.just({"api-version": "2.0"})}).flatmap(
        lambda base: st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5).map(
            lambda extra: {**extra, **base}
        )
    ),
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("fuzz") / "data"
    settings_ = ServerSettings(data_dir=data_dir)
    app = create_app(settings_)
    with TestClient(app) as client:
        stager = Stager(app.state.database, settings_)
        session = stager.create()
        wheel = make_wheel()
        file_view = stager.service.create_file(
            stager.authorization, session.token, filename=wheel.filename, size=len(wheel.data),
            hashes={"sha256": "00" * 32}, mechanism="http-post-bytes",
        )  # fmt: skip
        base = f"{ROOT}sessions/{session.token}"
        paths = {
            "root": ROOT,
            "session": base,
            "publish": f"{base}/publish",
            "extend": f"{base}/extend",
            "files": f"{base}/files",
            "file": f"{base}/files/{file_view.token}",
            "complete": f"{base}/files/{file_view.token}/complete",
            "file-extend": f"{base}/files/{file_view.token}/extend",
            "bytes": f"{base}/files/{file_view.token}/bytes",
            "stage": f"{ROOT}stage/{session.token}/tiny-pkg/",
            "unknown": f"{ROOT}sessions/{session.token}/elsewhere",
        }
        yield client, {"auth": stager.authorization, **paths}


ENDPOINTS = [
    "root", "session", "publish", "extend", "files", "file", "complete", "file-extend",
    "bytes", "stage", "unknown",
]  # fmt: skip
requests = st.fixed_dictionaries(
    {
        "endpoint": st.sampled_from(ENDPOINTS),
        "method": st.sampled_from(["POST", "GET", "DELETE", "PUT"]),
        "body": bodies,
        "authorized": st.booleans(),
        "authorization": header_text,
        "content_type": st.one_of(
            st.just(UPLOAD_TYPE), st.just("application/octet-stream"), header_text
        ),
        "accept": st.one_of(st.none(), header_text),
    }
)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(request=requests)
def test_any_request_is_answered_without_a_server_error(
    live: tuple[TestClient, dict[str, str]], request: dict[str, Any]
) -> None:
    client, paths = live
    headers = {
        "Authorization": paths["auth"] if request["authorized"] else request["authorization"],
        "Content-Type": request["content_type"],
    }
    if request["accept"] is not None:
        headers["Accept"] = request["accept"]
    endpoint = request["endpoint"]
    response = client.request(
        request["method"], paths[endpoint], content=json.dumps(request["body"]), headers=headers
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400 and endpoint != "stage":
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == response.status_code
        assert problem["errors"]
