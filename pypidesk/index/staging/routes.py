"""The Upload 2.0 (PEP 694 draft) endpoints under ``/upload/2.0-draft/``, as a bare ASGI app.

Like ``POST /legacy/`` it is answered in front of FastAPI
(:class:`pypidesk.index.app.IndexApp`): a session upload is several requests
per file, and FastAPI's routing and validation would cost more than the work.
Every error is an RFC 9457 problem document. URL layout (the draft leaves it
to the index; clients follow the ``links``)::

    POST   /upload/2.0-draft/                          create a publishing session
    GET    …/sessions/<token>                          status    DELETE  cancel
    POST   …/sessions/<token>/publish | /extend
    POST   …/sessions/<token>/files                    create a file upload session
    GET    …/sessions/<token>/files/<file>             status    DELETE  cancel/delete
    POST   …/sessions/<token>/files/<file>/bytes       http-post-bytes (the file's bytes)
    POST   …/sessions/<token>/files/<file>/complete | /extend
    GET    /upload/2.0-draft/stage/<token>/…           the stage preview (no login)
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pypidesk.index.read.http import Page, Receive, Scope, Send, header, send_page
from pypidesk.index.staging import files as staged_files
from pypidesk.index.staging import preview
from pypidesk.index.staging.checks import MECHANISM
from pypidesk.index.staging.problems import META, PROBLEM_TYPE, ProblemError
from pypidesk.index.staging.service import SessionConflictError, StagingService, too_many_bytes
from pypidesk.index.staging.views import FileView, SessionView, zulu
from pypidesk.index.upload.routes import PRECHECK_ABOVE
from pypidesk.index.upload.threads import in_upload_thread

ROOT = "/upload/2.0-draft/"
CONTENT_TYPE = "application/vnd.pypi.upload.v2+json"
OCTET_STREAM = "application/octet-stream"
# A request body of this protocol is a few hundred bytes of JSON.
MAX_JSON_BODY = 64 * 1024
_ACCEPTABLE = frozenset({CONTENT_TYPE, "application/json", "application/*", "*/*"})
_API_VERSION = re.compile(r"^2\.\d+$")
# How soon a client should look at a file upload session's status again.
RETRY_AFTER = "1"

T = TypeVar("T")


def staging_service(scope: Scope) -> StagingService:
    """The process's one service, made when the app starts (:mod:`pypidesk.index.app`)."""
    service: StagingService = scope["app"].state.staging
    return service


def _base(scope: Scope) -> str:
    host = header(scope, b"host") or "{}:{}".format(*(scope.get("server") or ("127.0.0.1", 80)))
    return f"{scope['scheme']}://{host}{ROOT}"


def session_json(view: SessionView, base: str) -> dict[str, Any]:
    """The draft's publishing session response body."""
    session_url = f"{base}sessions/{view.token}"
    return {
        "meta": META,
        "links": {
            "stage": f"{base}stage/{view.token}/",
            "upload": f"{session_url}/files",
            "session": session_url,
            "publish": f"{session_url}/publish",
            "extend": f"{session_url}/extend",
        },
        "mechanisms": [MECHANISM],
        "session-token": view.token,
        "expires-at": zulu(view.expires_at),
        "status": view.status,
        "files": {
            f.filename: {
                "status": f.status,
                "link": f"{session_url}/files/{f.token}",
                "notices": f.notices,
            }
            for f in view.files
        },
        "notices": view.notices,
    }


def file_json(view: FileView, session_token: str, base: str) -> dict[str, Any]:
    """The draft's file upload session response body."""
    url = f"{base}sessions/{session_token}/files/{view.token}"
    return {
        "meta": META,
        "links": {
            "file-upload-session": url,
            "complete": f"{url}/complete",
            "extend": f"{url}/extend",
        },
        "status": view.status,
        "expires-at": zulu(view.expires_at),
        "mechanism": {"identifier": MECHANISM, "file_url": f"{url}/bytes"},
        "notices": view.notices,
    }


async def _send(
    send: Send, status: int, body: bytes = b"", content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:  # fmt: skip
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    if content_type is not None:
        raw.append((b"content-type", content_type.encode()))
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _json(send: Send, status: int, data: dict[str, Any], **headers: str) -> None:
    body = json.dumps(data).encode()
    await _send(
        send, status, body, CONTENT_TYPE, {k.replace("_", "-"): v for k, v in headers.items()}
    )


async def _drain(receive: Receive) -> None:
    """Read what is left of a body we refuse, so the connection stays usable."""
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False) and message["type"] == "http.request"


async def _read_json(scope: Scope, receive: Receive) -> dict[str, Any]:
    """The request's JSON object, after the draft's content type and ``meta`` checks."""
    content_type = (header(scope, b"content-type") or "").partition(";")[0].strip().lower()
    if content_type != CONTENT_TYPE:
        await _drain(receive)
        raise ProblemError(
            415, f"Send requests as {CONTENT_TYPE}.", errors=[("content-type", content_type)]
        )
    body = bytearray()
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise ProblemError(400, "The request body was not received.")
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > MAX_JSON_BODY:
            if more:
                await _drain(receive)
            raise ProblemError(413, "The request body is too large.")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ProblemError(
            400, "The request body is not JSON.", errors=[("body", "invalid JSON")]
        ) from None
    if not isinstance(data, dict):
        raise ProblemError(
            400, "The request body must be a JSON object.", errors=[("body", "not an object")]
        )
    meta = data.get("meta")
    version = meta.get("api-version") if isinstance(meta, dict) else None
    if not isinstance(version, str) or not _API_VERSION.match(version):
        raise ProblemError(
            400,
            'meta.api-version must be "2.0", the version of this API.',
            errors=[("meta.api-version", repr(version))],
        )
    return data


def _acceptable(scope: Scope) -> bool:
    accept = header(scope, b"accept")
    if accept is None:
        return True
    for clause in accept.split(","):
        media, _, params = clause.partition(";")
        if (
            media.strip().lower() in _ACCEPTABLE
            and "q=0" not in params.replace(" ", "").split(";")[1:]
        ):
            return True
    return False


async def _call(func: Callable[..., T], *args: Any) -> T:
    return await in_upload_thread(functools.partial(func, *args))


async def staging_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer one request under :data:`ROOT`; every refusal as a problem document."""
    try:
        await _route(scope, receive, send)
    except ProblemError as problem:
        headers = dict(problem.headers)
        if isinstance(problem, SessionConflictError):
            headers["Location"] = f"{_base(scope)}sessions/{problem.token}"
        await _send(send, problem.status, problem.body(), PROBLEM_TYPE, headers)


def _method_not_allowed(allowed: str) -> ProblemError:
    return ProblemError(405, f"Use {allowed} here.", headers={"Allow": allowed})


async def _route(scope: Scope, receive: Receive, send: Send) -> None:
    path: str = scope["path"][len(ROOT) :]
    method: str = scope["method"]
    service = staging_service(scope)
    if path.startswith("stage/"):
        token, _, rest = path[len("stage/") :].partition("/")
        if method not in ("GET", "HEAD"):
            raise _method_not_allowed("GET, HEAD")
        await _stage(scope, send, service, token, rest)
        return
    if not _acceptable(scope):
        raise ProblemError(406, f"This API answers {CONTENT_TYPE}.")
    authorization = header(scope, b"authorization")
    base = _base(scope)
    parts = path.split("/")
    if path == "":
        if method != "POST":
            raise _method_not_allowed("POST")
        data = await _read_json(scope, receive)
        view = await _call(service.create, authorization, data.get("name"), data.get("version"))
        body = session_json(view, base)
        await _json(send, 201, body, Location=body["links"]["session"])
        return
    if len(parts) < 2 or parts[0] != "sessions" or len(parts) > 5:
        raise ProblemError(404, "There is no such endpoint.")
    if len(parts) <= 3:
        await _session_route(scope, receive, send, parts)
    else:
        await _file_route(scope, receive, send, parts)


async def _session_route(scope: Scope, receive: Receive, send: Send, parts: list[str]) -> None:
    """``sessions/<token>`` and its actions."""
    method: str = scope["method"]
    service = staging_service(scope)
    authorization = header(scope, b"authorization")
    base = _base(scope)
    token = parts[1]
    if len(parts) == 2:
        if method == "GET":
            view = await _call(service.status, authorization, token)
            await _json(send, 200, session_json(view, base))
        elif method == "DELETE":
            await _call(service.cancel, authorization, token)
            await _send(send, 204)
        else:
            raise _method_not_allowed("GET, DELETE")
        return
    action = parts[2]
    if action in ("publish", "extend", "files"):
        if method != "POST":
            raise _method_not_allowed("POST")
        data = await _read_json(scope, receive)
        if action == "publish":
            storage = scope["app"].state.storage
            publish = functools.partial(staged_files.publish, purge=False)
            view = await _call(publish, service, storage, authorization, token)
            body = session_json(view, base)
            await _json(send, 201, body, Location=body["links"]["session"])
            # After the answer; should the process die first, the sweeper removes them.
            await _call(service.purge, token)
        elif action == "extend":
            view = await _call(service.extend, authorization, token, data.get("extend-for"))
            await _json(send, 200, session_json(view, base))
        else:
            create = functools.partial(
                service.create_file,
                filename=data.get("filename"),
                size=data.get("size"),
                hashes=data.get("hashes"),
                mechanism=data.get("mechanism"),
            )
            file_view = await _call(create, authorization, token)
            await _json(send, 202, file_json(file_view, token, base), Retry_After=RETRY_AFTER)
        return
    raise ProblemError(404, "There is no such endpoint.")


async def _file_route(scope: Scope, receive: Receive, send: Send, parts: list[str]) -> None:
    """``sessions/<token>/files/<file>`` and its actions."""
    method: str = scope["method"]
    service = staging_service(scope)
    authorization = header(scope, b"authorization")
    base = _base(scope)
    token = parts[1]
    if parts[2] != "files":
        raise ProblemError(404, "There is no such endpoint.")
    file_token = parts[3]
    if len(parts) == 4:
        if method == "GET":
            file_view = await _call(service.file_status, authorization, token, file_token)
            await _json(send, 200, file_json(file_view, token, base), Retry_After=RETRY_AFTER)
        elif method == "DELETE":
            await _call(service.cancel_file, authorization, token, file_token)
            await _send(send, 204)
        else:
            raise _method_not_allowed("GET, DELETE")
        return
    step = parts[4]
    if step not in ("bytes", "complete", "extend"):
        raise ProblemError(404, "There is no such endpoint.")
    if method != "POST":
        raise _method_not_allowed("POST")
    if step == "bytes":
        await _receive_bytes(scope, receive, service, (authorization, token, file_token))
        await _send(send, 204)
        return
    data = await _read_json(scope, receive)
    url = f"{base}sessions/{token}/files/{file_token}"
    if step == "complete":
        file_view = await _call(staged_files.complete, service, authorization, token, file_token)
        await _json(send, 201, file_json(file_view, token, base), Location=url)
    else:
        file_view = await _call(
            service.extend_file, authorization, token, file_token, data.get("extend-for")
        )
        await _json(send, 200, file_json(file_view, token, base))


async def _receive_bytes(
    scope: Scope,
    receive: Receive,
    service: StagingService,
    target: tuple[str | None, str, str],
) -> None:
    """``http-post-bytes``: stream the body to the staged file, never past its declared size.

    ``target`` is the request's credentials, session token and file token.
    As ``POST /legacy/`` does, a body up to :data:`PRECHECK_ABOVE` bytes is
    received first and checked with the rest in one transaction; a larger
    one is admitted first, so a refused client's file is never written.
    """
    authorization, token, file_token = target
    content_type = (header(scope, b"content-type") or "").partition(";")[0].strip().lower()
    if content_type != OCTET_STREAM:
        await _drain(receive)
        raise ProblemError(415, f"Send the file's bytes as {OCTET_STREAM}.")
    part = service.file_path(token, file_token + ".part")
    handle = None
    limit = _content_length(scope)
    if limit <= PRECHECK_ABOVE and service.is_token(token) and service.is_token(file_token):
        # No such session's directory: the admission below says why.
        with contextlib.suppress(OSError):
            handle = part.open("wb")
    if handle is None:
        try:
            limit = await _call(service.admit_bytes, authorization, token, file_token)
        except ProblemError:
            await _drain(receive)
            raise
        handle = part.open("wb")
    received = 0
    with handle:
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                part.unlink(missing_ok=True)
                raise ProblemError(400, "The upload was interrupted.")
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                part.unlink(missing_ok=True)
                if message.get("more_body", False):
                    await _drain(receive)
                raise too_many_bytes(limit)
            handle.write(chunk)
            more = message.get("more_body", False)
    await _call(service.store_bytes, authorization, token, file_token, received)


def _content_length(scope: Scope) -> int:
    """The declared body size; unknown (chunked) counts as large."""
    try:
        return int(header(scope, b"content-length") or "")
    except ValueError:
        return PRECHECK_ABOVE + 1


async def _stage(scope: Scope, send: Send, service: StagingService, token: str, rest: str) -> None:
    stage_base = f"{_base(scope)}stage/{token}"
    answer = await _call(
        preview.render, service, token, rest, header(scope, b"accept"), stage_base
    )
    if isinstance(answer, Page):
        await send_page(scope, send, answer)
        return
    try:
        handle = answer.path.open("rb")
    except OSError:
        await send_page(scope, send, preview.NOT_FOUND)
        return
    with handle:
        size = answer.path.stat().st_size
        page = Page(
            200,
            (
                (b"content-type", OCTET_STREAM.encode()),
                (b"content-length", str(size).encode()),
                (b"cache-control", b"no-store"),
            ),
            b"",
        )
        await send_page(scope, send, page, stream_from=handle, length=size)
