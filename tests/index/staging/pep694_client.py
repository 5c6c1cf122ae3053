"""A small HTTP client written from the PEP 694 draft's text, sharing no code with the server.

It knows only what the draft says: the content type, the ``meta`` key, the
links in the responses, RFC 9457 problems. Tests use it to walk the protocol.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

UPLOAD_TYPE = "application/vnd.pypi.upload.v2+json"
META = {"api-version": "2.0"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Client:
    """Requests to one server; ``token`` is sent as HTTP Basic ``__token__`` (PyPI's way)."""

    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        content_type: str | None = None,
        **headers: str,
    ) -> Reply:
        parsed = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        sent = dict(self.headers)
        if self.token is not None:
            secret = base64.b64encode(f"__token__:{self.token}".encode()).decode()
            sent["Authorization"] = f"Basic {secret}"
        if content_type is not None:
            sent["Content-Type"] = content_type
        sent.update({k.replace("_", "-"): v for k, v in headers.items()})
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return Reply(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    def post(self, url: str, data: dict[str, Any] | None = None, **headers: str) -> Reply:
        """A protocol POST: the draft's content type and ``meta`` key."""
        body = json.dumps({"meta": META, **(data or {})}).encode()
        return self.request("POST", url, body, UPLOAD_TYPE, **headers)

    def get(self, url: str, **headers: str) -> Reply:
        return self.request("GET", url, **headers)

    def delete(self, url: str) -> Reply:
        return self.request("DELETE", url)

    # -- the draft's workflow ---------------------------------------------------

    def create(self, root: str, name: str, version: str) -> Reply:
        return self.post(root, {"name": name, "version": version})

    def upload(self, session: dict[str, Any], filename: str, data: bytes) -> dict[str, Any]:
        """Create a file upload session, send the bytes, complete it; the completed status."""
        created = self.post(
            session["links"]["upload"],
            {
                "filename": filename,
                "size": len(data),
                "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                "mechanism": "http-post-bytes",
            },
        )
        assert created.status == 202, created.body
        file_session = created.json
        sent = self.request(
            "POST", file_session["mechanism"]["file_url"], data, "application/octet-stream"
        )
        assert sent.status < 300, sent.body
        done = self.post(file_session["links"]["complete"])
        assert done.status == 201, done.body
        return dict(done.json)
