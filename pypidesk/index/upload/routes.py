"""``POST /legacy/``: PyPI's upload endpoint, its redirect and its retired actions.

The request goes through three phases. Before the body is read, the admin
flags and the credentials are checked, so an unauthenticated client's file
is never written and its body is dropped unparsed; an upload beyond the
process's cap (``serve --max-concurrent-uploads``) is answered 503 at once.
The body is then streamed (the file straight to storage); a client cut off
mid-body (``serve --body-timeout``) leaves no temporary file behind.
Last, one write transaction runs PyPI's checks in order and records the
file; the file is moved into place only after that transaction commits.
Errors answer with PyPI's status and the text in the reason phrase
(docs/pypi-behaviour.md, "Upload").
"""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pymacaroons import Macaroon
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from pypidesk.index.auth.identity import (
    AnyIdentity,
    Identity,
    check_token,
    invalid_credentials,
    password_identity,
    presented_credentials,
    token_id_of,
)
from pypidesk.index.auth.ratelimit import (
    TOO_MANY_FAILURES,
    FailureLimiter,
    PasswordTry,
    RateLimitedError,
)
from pypidesk.index.db.engine import Database
from pypidesk.index.errors import RefusedError
from pypidesk.index.serving.reason import ReasonResponse
from pypidesk.index.settings import ServerSettings
from pypidesk.index.storage import FileStorage, IncomingFile
from pypidesk.index.upload.gate import UploadGate
from pypidesk.index.upload.multipart import receive_form
from pypidesk.index.upload.records import ProjectRecord, TokenRecord, UploadRecords, UserRecord
from pypidesk.index.upload.service import Uploader, flags_error, store_upload
from pypidesk.index.upload.threads import in_upload_thread

router = APIRouter()

# Bodies above this size are admitted (flags, credentials) before they are
# read, so that a refused client's file is never written. Smaller ones skip
# the extra transaction: their temp file costs nothing and is discarded, and
# the upload transaction checks flags and credentials first anyway.
PRECHECK_ABOVE = 1024 * 1024

LEGACY_REDIRECT = (
    "An upload was attempted to /legacy but the expected upload URL is /legacy/ "
    "(with a trailing slash)"
)
SUBMIT_GONE = (
    "Project pre-registration is no longer required or supported, upload your files instead."
)
DOC_UPLOAD_GONE = (
    "Uploading documentation is no longer supported, we recommend using https://readthedocs.org/."
)
BUSY = "Too many uploads are in progress on this index; try again in a minute."
HELP_PAGE = """<!DOCTYPE html>
<html><head><title>Upload</title></head>
<body><h1>Upload</h1>
<p>This is the upload endpoint of a PyPI-compatible index. Upload distributions
with <code>twine upload --repository-url &lt;this URL&gt; dist/*</code>
or <code>uv publish --publish-url &lt;this URL&gt;</code>, using an API token.</p>
</body></html>
"""


@router.post("/legacy", include_in_schema=False)
async def legacy_without_slash(request: Request) -> Response:
    """twine refuses to follow redirects, so the reason phrase says what is wrong."""
    async for _ in request.stream():
        pass
    location = str(request.url.replace(path="/legacy/"))
    return ReasonResponse(308, LEGACY_REDIRECT, headers={"Location": location})


@router.get("/legacy/", include_in_schema=False)
async def upload_help() -> Response:
    return HTMLResponse(HELP_PAGE)


async def upload_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /legacy/`` as a bare ASGI app, called by :class:`pypidesk.index.app.IndexApp`.

    The upload is the one write a client makes by the thousand in a row;
    FastAPI's middleware stack and routing cost more than half a millisecond
    of each, so the route is answered in front of them, as reads are.
    """
    try:
        response = await upload(Request(scope, receive))
    except ClientDisconnect:
        # The client went away, or stopped sending and was cut off: no one
        # to answer, and its temporary file is already gone.
        return
    await response(scope, receive, send)


async def upload(request: Request) -> Response:
    authorization = request.headers.get("authorization")
    prechecked = _content_length(request) > PRECHECK_ABOVE
    if prechecked:
        refused = await _precheck(request, authorization)
        if refused is not None:
            # Dropped unparsed: a refused client's body costs no memory.
            async for _ in request.stream():
                pass
            return ReasonResponse(refused.status, refused.message)
    gate: UploadGate = request.app.state.upload_gate
    if not gate.enter():
        # Answered before the body is read; closing drops the rest of it.
        return ReasonResponse(503, BUSY, headers={"Retry-After": "60", "Connection": "close"})
    try:
        return await _receive_and_store(request, authorization, prechecked=prechecked)
    finally:
        gate.leave()


async def _precheck(request: Request, authorization: str | None) -> RefusedError | None:
    """Upload checks 1-2 (:func:`_admission`) in an upload thread."""
    settings: ServerSettings = request.app.state.settings
    database: Database = request.app.state.database
    address = request.client.host if request.client else None
    limiter: FailureLimiter = request.app.state.login_limiter
    return await in_upload_thread(
        functools.partial(_admission, database, settings, authorization, address, limiter)
    )


async def _receive_and_store(
    request: Request, authorization: str | None, *, prechecked: bool
) -> Response:
    settings: ServerSettings = request.app.state.settings
    database: Database = request.app.state.database
    storage: FileStorage = request.app.state.storage
    opened: list[IncomingFile] = []

    def open_content() -> IncomingFile:
        incoming = storage.incoming(settings.max_file_size)
        opened.append(incoming)
        return incoming

    try:
        received = await receive_form(
            request.stream(), request.headers.get("content-type"), open_content
        )
    except BaseException:
        # Cut off mid-body: release the temporary file and its descriptor.
        for incoming in opened:
            incoming.discard()
        raise
    if received.content is not None and received.error is None:
        received.content.sync_in_background()
    try:
        # Clients send the action in the form; parse a query string only if any.
        action = (request.scope["query_string"] and request.query_params.get(":action")) or (
            received.first(":action")
        )
        if action != "file_upload":
            return _other_action(action)
        problem = received.error
        if problem is not None:
            return ReasonResponse(problem.status, problem.message)
        if not prechecked and received.first("description"):
            # A description is rendered before the transaction authenticates:
            # only for a client that may upload (checks 1-2 come first at PyPI too).
            refused = await _precheck(request, authorization)
            if refused is not None:
                return ReasonResponse(refused.status, refused.message)
        identify = functools.partial(
            _identify,
            settings=settings,
            authorization=authorization,
            ip_address=request.client.host if request.client else None,
            limiter=request.app.state.login_limiter,
        )
        result = await in_upload_thread(
            functools.partial(
                store_upload,
                database,
                settings,
                received,
                identify,
                request.app.state.description_renderer,
            )
        )
        if result.status == 200:
            return Response(status_code=200)
        return ReasonResponse(result.status, result.message)
    finally:
        received.discard()


def _content_length(request: Request) -> int:
    """The declared body size; unknown (chunked) counts as large."""
    try:
        return int(request.headers.get("content-length", ""))
    except ValueError:
        return PRECHECK_ABOVE + 1


def _other_action(action: str | None) -> Response:
    """Retired actions get PyPI's 410; anything else the help page."""
    if action in ("submit", "submit_pkg_info"):
        return ReasonResponse(410, SUBMIT_GONE)
    if action == "doc_upload":
        return ReasonResponse(410, DOC_UPLOAD_GONE)
    return HTMLResponse(HELP_PAGE)


def _admission(
    database: Database,
    settings: ServerSettings,
    authorization: str | None,
    address: str | None,
    limiter: FailureLimiter,
) -> RefusedError | None:
    """Upload checks 1-2 before the body is read: admin flags, then the credentials.

    Only a pre-check, so that no file of a refused client is stored; it runs
    in a read transaction and records nothing (not even the token's
    ``last_used``). The upload transaction authenticates again.
    """
    with database.read_connection() as connection:
        records = UploadRecords(connection)
        refused: RefusedError | None = flags_error(records, settings)
        if refused is None:
            try:
                _identify(
                    records, settings, authorization, address, limiter=limiter, record_use=False
                )
            except RefusedError as exc:
                refused = exc
        records.close()
    return refused


def _identify(
    records: UploadRecords,
    settings: ServerSettings,
    authorization: str | None,
    ip_address: str | None = None,
    *,
    limiter: FailureLimiter,
    record_use: bool = True,
) -> Uploader:
    """Upload check 2 (credentials) and the token half of check 8, as an :class:`Uploader`."""
    identity: AnyIdentity
    found = presented_credentials(
        settings, authorization, allow_password=settings.allow_password_uploads
    )
    if isinstance(found, tuple):
        identity = _password_identity(records, settings, found, ip_address, limiter)
    else:
        identity = _token_identity(records, settings, found, record_use=record_use)

    def check_scope(project: ProjectRecord) -> None:
        check_token(settings, identity, project=project)

    token_name = None if identity.token is None else identity.token.name
    return Uploader(identity.user, check_scope, token_name=token_name, ip_address=ip_address)


def _password_identity(
    records: UploadRecords,
    settings: ServerSettings,
    credentials: tuple[str, str],
    address: str | None,
    limiter: FailureLimiter,
) -> AnyIdentity:
    """A password upload (``--allow-password-uploads``), its try counted before the check."""
    username, password = credentials
    try:
        attempt = PasswordTry(limiter, username, address)
    except RateLimitedError as exc:
        raise RefusedError(TOO_MANY_FAILURES, status=429, code="rate_limited") from exc
    identity = password_identity(records.session, settings, username, password)
    attempt.succeeded()
    return identity


def _token_identity(
    records: UploadRecords, settings: ServerSettings, macaroon: Macaroon, *, record_use: bool
) -> Identity[UserRecord, TokenRecord]:
    """What :func:`pypidesk.index.auth.identity.authenticate` finds, in one plain query."""
    token_id = token_id_of(macaroon)
    found = None if token_id is None else records.token(token_id)
    if found is None or not found.user_is_active:
        raise invalid_credentials(settings)
    if record_use:
        records.token_used(found.token.id)
    return Identity(user=found.user, token=found.token, macaroon=macaroon)
