"""The Upload 2.0 protocol walked from the PEP 694 draft's text, with its own HTTP client.

Each test follows a section of the draft (29-Jul-2026): the request it
describes, then the status codes, headers and bodies it requires.
"""

from __future__ import annotations

import hashlib
import re

from tests.index.staging.live import Index
from tests.index.staging.pep694_client import UPLOAD_TYPE, Client
from tests.index.upload.dists import make_sdist, make_wheel

ZULU = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def assert_problem(reply: object, status: int) -> dict:
    """RFC 9457 problem details with the draft's ``meta`` and ``errors`` members."""
    assert reply.status == status, (reply.status, reply.body)
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json
    assert problem["status"] == status
    assert problem["title"]
    assert problem["type"]
    assert problem["meta"] == {"api-version": "2.0"}
    assert problem["errors"]
    assert all({"source", "message"} <= set(e) for e in problem["errors"])
    return problem


def test_authentication_401_with_challenge_then_403_for_other_principals(index: Index) -> None:
    anonymous = Client()
    reply = anonymous.create(index.root, "auth-demo", "1.0")
    assert_problem(reply, 401)
    assert reply.headers["www-authenticate"].startswith("Basic")
    assert_problem(Client("pypi-not-a-token").create(index.root, "auth-demo", "1.0"), 401)
    created = index.alice.create(index.root, "auth-demo", "1.0")
    assert created.status == 201
    session_url = created.json["links"]["session"]
    # A first release: only its creator may act on it; the 403 hides the 409.
    assert_problem(index.bob.get(session_url), 403)
    assert_problem(index.bob.create(index.root, "auth-demo", "1.0"), 403)
    assert_problem(anonymous.get(session_url), 401)


def test_create_session_response_and_second_create(index: Index) -> None:
    reply = index.alice.create(index.root, "Create.Demo", "1.0")
    assert reply.status == 201, reply.body
    assert reply.headers["content-type"] == UPLOAD_TYPE
    body = reply.json
    assert reply.headers["location"] == body["links"]["session"]
    assert body["meta"] == {"api-version": "2.0"}
    assert set(body["links"]) == {"stage", "upload", "session", "publish", "extend"}
    assert body["mechanisms"] == ["http-post-bytes"]
    assert len(body["session-token"]) >= 32
    assert body["session-token"] in body["links"]["stage"]
    assert ZULU.match(body["expires-at"])
    assert (body["status"], body["files"], body["notices"]) == ("open", {}, [])
    # Same name (any spelling) and version while open: 409 pointing at the session.
    again = index.alice.create(index.root, "create-demo", "1.0")
    assert_problem(again, 409)
    assert again.headers["location"] == body["links"]["session"]
    status = index.alice.get(body["links"]["session"])
    assert status.status == 200
    assert status.json == body
    # A new name is held by its first session: another version cannot take it.
    assert_problem(index.alice.create(index.root, "create-demo", "2.0"), 409)


def test_request_format_errors(index: Index) -> None:
    client = index.alice
    wrong_type = client.request("POST", index.root, b'{"meta":{"api-version":"2.0"}}',
                                "application/json")  # fmt: skip
    assert_problem(wrong_type, 415)
    assert_problem(client.post(index.root, {"meta": {"api-version": "1.0"}}), 400)
    not_json = client.request("POST", index.root, b"{", UPLOAD_TYPE)
    assert_problem(not_json, 400)
    assert_problem(client.request("POST", index.root, b"[]", UPLOAD_TYPE), 400)
    assert_problem(client.create(index.root, "bad name!", "1.0"), 400)
    assert_problem(client.create(index.root, "fine", "not a version"), 400)
    assert_problem(client.create(index.root, "fine", "1.0+local"), 400)
    assert_problem(client.get(index.root), 405)
    assert_problem(client.get(index.root + "sessions/" + "x" * 43), 404)
    assert_problem(client.get(index.root + "nowhere"), 404)
    assert_problem(client.post(index.root, {"name": "x", "version": "1"}, Accept="text/html"), 406)


def test_each_endpoint_names_its_methods_in_allow(index: Index) -> None:
    """A method an endpoint does not take: 405 with ``Allow``, before any lookup."""
    client = index.alice
    session = index.root + "sessions/" + "s" * 43
    file = session + "/files/" + "f" * 43
    for method, url, allowed in (
        ("GET", index.root, "POST"),
        ("PUT", session, "GET, DELETE"),
        ("GET", session + "/publish", "POST"),
        ("POST", file, "GET, DELETE"),
        ("GET", file + "/complete", "POST"),
    ):
        reply = client.request(method, url)
        assert_problem(reply, 405)
        assert reply.headers["allow"] == allowed, (method, url)
    stage = client.request("POST", index.root + "stage/" + "t" * 43 + "/")
    assert (stage.status, stage.headers["allow"]) == (405, "GET, HEAD")


def _file_request(filename: str, data: bytes, **overrides: object) -> dict:
    request = {
        "filename": filename,
        "size": len(data),
        "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
        "mechanism": "http-post-bytes",
    }
    request.update(overrides)
    return request


def test_file_upload_session_states_and_publish(index: Index) -> None:
    client = index.alice
    session = client.create(index.root, "tiny-pkg", "1.0").json
    links = session["links"]
    wheel, sdist = make_wheel(), make_sdist()
    # Refused before any byte: file name, version, mechanism, hashes, size.
    assert_problem(client.post(links["upload"], _file_request("nope.zip", b"")), 400)
    other = make_wheel(version="2.0")
    assert_problem(client.post(links["upload"], _file_request(other.filename, other.data)), 400)
    unknown = _file_request(wheel.filename, wheel.data, mechanism="vnd-acme-postal")
    assert_problem(client.post(links["upload"], unknown), 422)
    weak = _file_request(wheel.filename, wheel.data, hashes={"md5": "00"})
    assert_problem(client.post(links["upload"], weak), 400)
    huge = _file_request(wheel.filename, wheel.data, size=10**12)
    assert_problem(client.post(links["upload"], huge), 400)

    created = client.post(links["upload"], _file_request(wheel.filename, wheel.data))
    assert created.status == 202, created.body
    assert created.headers["retry-after"]
    file_session = created.json
    assert file_session["status"] == "pending"
    assert set(file_session["links"]) == {"file-upload-session", "complete", "extend"}
    assert file_session["mechanism"]["identifier"] == "http-post-bytes"
    assert ZULU.match(file_session["expires-at"])
    listed = client.get(links["session"]).json["files"]
    assert listed[wheel.filename]["status"] == "pending"
    assert listed[wheel.filename]["link"] == file_session["links"]["file-upload-session"]
    # In progress: neither replaced nor published.
    assert_problem(client.post(links["upload"], _file_request(wheel.filename, wheel.data)), 409)
    blocked = assert_problem(client.post(links["publish"]), 409)
    assert blocked["errors"][0]["source"] == wheel.filename
    # Completing before the bytes arrive fails the file: it must be deleted.
    file_url = file_session["mechanism"]["file_url"]
    assert_problem(client.request("POST", file_url, wheel.data, "text/plain"), 415)
    too_many = client.request("POST", file_url, wheel.data + b"x", "application/octet-stream")
    assert_problem(too_many, 400)
    sent = client.request("POST", file_url, wheel.data, "application/octet-stream")
    assert sent.status == 204
    done = client.post(file_session["links"]["complete"])
    assert done.status == 201, done.body
    assert done.headers["location"] == file_session["links"]["file-upload-session"]
    assert done.json["status"] == "completed"
    assert_problem(client.post(file_session["links"]["complete"]), 409)
    assert client.get(links["session"]).json["files"][wheel.filename]["status"] == "completed"

    # A file whose bytes do not match its hashes: error, then deleted.
    bad = client.post(
        links["upload"],
        _file_request(sdist.filename, sdist.data, hashes={"sha256": "ab" * 32}),
    ).json
    client.request("POST", bad["mechanism"]["file_url"], sdist.data, "application/octet-stream")
    failed = assert_problem(client.post(bad["links"]["complete"]), 400)
    assert failed["errors"][0]["source"] == "hashes.sha256"
    assert client.get(bad["links"]["file-upload-session"]).json["status"] == "error"
    assert client.get(links["session"]).json["files"][sdist.filename]["status"] == "error"
    assert_problem(client.post(links["publish"]), 409)
    assert client.delete(bad["links"]["file-upload-session"]).status == 204
    assert client.get(bad["links"]["file-upload-session"]).json["status"] == "canceled"
    assert sdist.filename not in client.get(links["session"]).json["files"]
    assert_problem(client.delete(bad["links"]["file-upload-session"]), 409)

    # Replacing a completed file: a new file upload session for the same name.
    client.upload(session, sdist.filename, sdist.data)
    replacement = client.upload(session, sdist.filename, sdist.data)
    assert replacement["status"] == "completed"

    extended = client.post(links["extend"], {"extend-for": 3600})
    assert extended.status == 200
    assert extended.json["expires-at"] >= session["expires-at"]
    assert_problem(client.post(links["extend"], {"extend-for": "soon"}), 400)
    file_extended = client.post(file_session["links"]["extend"], {"extend-for": 60})
    assert file_extended.status == 200
    assert file_extended.json["status"] == "completed"

    assert index.alice.get(index.server.url + "/simple/tiny-pkg/").status == 404
    published = client.post(links["publish"])
    assert published.status == 201, published.body
    assert published.headers["location"] == links["session"]
    assert published.json["status"] == "published"
    assert sorted(published.json["files"]) == sorted([wheel.filename, sdist.filename])
    page = client.get(index.server.url + "/simple/tiny-pkg/").body.decode()
    assert wheel.filename in page
    assert sdist.filename in page

    # Published is terminal: no more changes; the status stays readable.
    assert_problem(client.post(links["publish"]), 409)
    assert_problem(client.delete(links["session"]), 409)
    assert_problem(client.post(links["upload"], _file_request(wheel.filename, wheel.data)), 409)
    assert client.get(links["session"]).json["status"] == "published"
    assert client.get(links["stage"] + "tiny-pkg/").status == 404

    # The pair is free again; a published file cannot be uploaded to it.
    second = client.create(index.root, "tiny-pkg", "1.0")
    assert second.status == 201
    assert second.json["session-token"] != session["session-token"]
    assert second.json["links"]["stage"] != links["stage"]
    clash = client.post(second.json["links"]["upload"], _file_request(wheel.filename, wheel.data))
    assert_problem(clash, 409)
    # Bob has no role on the published project: its sessions are not his.
    assert_problem(index.bob.get(second.json["links"]["session"]), 403)


def test_cancel_discards_the_stage(index: Index) -> None:
    client = index.alice
    session = client.create(index.root, "gone-pkg", "1.0").json
    wheel = make_wheel("gone-pkg")
    client.upload(session, wheel.filename, wheel.data)
    assert client.get(session["links"]["stage"] + "gone-pkg/").status == 200
    assert client.delete(session["links"]["session"]).status == 204
    status = client.get(session["links"]["session"])
    assert status.json["status"] == "canceled"
    assert status.json["files"] == {}
    assert client.get(session["links"]["stage"] + "gone-pkg/").status == 404
    assert_problem(client.post(session["links"]["upload"], _file_request("x.whl", b"")), 404)
    assert_problem(client.delete(session["links"]["session"]), 404)
    # The name was only reserved: it is free once the stage is canceled.
    assert client.get(index.server.url + "/simple/gone-pkg/").status == 404
    assert index.bob.create(index.root, "gone-pkg", "1.0").status == 201


def test_publishing_an_empty_session_registers_the_name(index: Index) -> None:
    session = index.alice.create(index.root, "reserved-name", "0.0.0a0").json
    assert index.alice.post(session["links"]["publish"]).status == 201
    reply = index.alice.get(index.server.url + "/pypi/reserved-name/json")
    assert reply.status == 404  # a project without releases, as PyPI answers
    assert_problem(index.bob.create(index.root, "reserved-name", "1.0"), 403)
