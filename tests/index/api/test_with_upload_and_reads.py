"""The API's changes as pip, uv and twine see them: simple page, JSON API, re-upload."""

from __future__ import annotations

import httpx

from tests.index.api.conftest import Index
from tests.index.upload.dists import Dist, make_sdist, make_wheel


def _upload(index: Index, dist: Dist, token: str) -> httpx.Response:
    return httpx.post(
        index.server.url + "/legacy/",
        data=dist.form(),  # type: ignore[arg-type]
        files={"content": (dist.filename, dist.data, "application/octet-stream")},
        headers={"Authorization": f"token {token}"},
        timeout=60,
    )


def test_yank_shows_on_the_simple_page_and_json_api(index: Index) -> None:
    index.user("alice")
    token = index.token("alice", "laptop")
    for version in ("1.0", "2.0"):
        assert _upload(index, make_wheel("spam", version), token).status_code == 200
    auth = {"Authorization": f"Bearer {token}"}
    yank = index.http.post(
        "/projects/spam/releases/1.0/yank", headers=auth, json={"reason": "broken & bad"}
    )
    assert yank.status_code == 200

    simple_json = httpx.get(
        index.server.url + "/simple/spam/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    ).json()
    yanked = {f["filename"]: f["yanked"] for f in simple_json["files"]}
    assert yanked == {
        "spam-1.0-py3-none-any.whl": "broken & bad",
        "spam-2.0-py3-none-any.whl": False,
    }
    html = httpx.get(index.server.url + "/simple/spam/").text
    assert 'data-yanked="broken &amp; bad"' in html
    release = httpx.get(index.server.url + "/pypi/spam/1.0/json").json()
    assert release["info"]["yanked"] is True
    assert release["info"]["yanked_reason"] == "broken & bad"
    assert release["urls"][0]["yanked"] is True

    assert index.http.post("/projects/spam/releases/1.0/unyank", headers=auth).is_success
    simple_json = httpx.get(
        index.server.url + "/simple/spam/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    ).json()
    assert all(f["yanked"] is False for f in simple_json["files"])


def test_a_deleted_filename_is_refused_on_re_upload(index: Index) -> None:
    index.user("alice")
    token = index.token("alice", "laptop")
    auth = {"Authorization": f"Bearer {token}"}
    wheel, sdist = make_wheel("spam", "1.0"), make_sdist("spam", "1.0")
    for dist in (wheel, sdist):
        assert _upload(index, dist, token).status_code == 200
    assert (
        index.http.delete(f"/projects/spam/files/{wheel.filename}", headers=auth).status_code
        == 204
    )
    again = _upload(index, wheel, token)
    assert again.status_code == 400
    assert again.reason_phrase == (
        "This filename was previously used by a file that has since been deleted. "
        "Use a different version. See https://pypi.org/help/#file-name-reuse "
        "for more information."
    )
    # Deleting the whole project frees the name but not the filenames.
    assert index.http.delete("/projects/spam", headers=auth).status_code == 204
    assert httpx.get(index.server.url + "/simple/spam/").status_code == 404
    assert _upload(index, sdist, token).status_code == 400
    assert _upload(index, make_wheel("spam", "1.1"), token).status_code == 200


def test_uploads_are_in_the_project_history(index: Index) -> None:
    index.user("alice")
    token = index.token("alice", "laptop")
    assert _upload(index, make_sdist("spam", "1.0"), token).status_code == 200
    assert _upload(index, make_wheel("spam", "1.0"), token).status_code == 200
    history = index.http.get(
        "/projects/spam/history", headers={"Authorization": f"Bearer {token}"}
    ).json()["events"]
    assert [(e["tag"], e["additional"].get("filename")) for e in history] == [
        ("project:file:add", "spam-1.0-py3-none-any.whl"),
        ("project:file:add", "spam-1.0.tar.gz"),
        ("project:release:add", None),
        ("project:create", None),
    ]
    assert {(e["username"], e["token_name"], e["ip_address"]) for e in history} == {
        ("alice", "laptop", "127.0.0.1")
    }
