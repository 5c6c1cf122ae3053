"""The server's one error tree: each refusal carries its status, so boundaries catch one root."""

from __future__ import annotations

import pytest

from pypidesk.index.admin.cli import AdminCommandError
from pypidesk.index.api.errors import ApiError
from pypidesk.index.auth.identity import AuthenticationError, TokenScopeError
from pypidesk.index.auth.server_secret import SecretKeyError
from pypidesk.index.errors import RefusedError, ServerError
from pypidesk.index.manage.errors import (
    ConflictError,
    DisabledError,
    ManageError,
    NotFoundError,
    PermissionDeniedError,
)
from pypidesk.index.records.accounts import AccountError
from pypidesk.index.records.flags import UnknownFlagError
from pypidesk.index.records.projects import ProjectCreationError
from pypidesk.index.upload.description import DescriptionError
from pypidesk.index.upload.errors import UploadError


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (AuthenticationError("Invalid or non-existent authentication information."), 403, None),
        (TokenScopeError(["project-scoped token is not valid for project: 'x'"]), 403, None),
        (AccountError("The email address 'x' is not valid."), 400, "invalid_account"),
        (ProjectCreationError(429, "Too many new projects created"), 429, "refused"),
        (UnknownFlagError("nope"), 400, "unknown_flag"),
        (UploadError(413, "File too large."), 413, "refused"),
        (DescriptionError("The description failed to render."), 400, None),
        (ManageError("No."), 400, "invalid"),
        (NotFoundError("No project named 'x'."), 404, "not_found"),
        (PermissionDeniedError("Only an Owner can do this."), 403, "forbidden"),
        (DisabledError("Read-only mode.", code="read_only"), 403, "read_only"),
        (ConflictError("Cannot remove yourself as Sole Owner"), 409, "conflict"),
        (ApiError(429, "Too many failed sign-ins.", "rate_limited"), 429, "rate_limited"),
        (AdminCommandError("No project named 'x'."), 400, "refused"),
    ],
)
def test_every_refusal_carries_its_status_and_text(
    error: RefusedError, status: int, code: str | None
) -> None:
    assert isinstance(error, RefusedError)
    assert error.status == status
    if code is not None:
        assert error.code == code
    assert str(error) == error.message
    assert error.headers == {}


def test_token_scope_text_is_pypis() -> None:
    error = TokenScopeError(["a", "b"])
    assert (error.message, error.code) == ("Invalid API Token: a, b", "token_scope")


def test_unknown_flag_is_still_a_value_error() -> None:
    assert isinstance(UnknownFlagError("nope"), ValueError)


def test_a_broken_secret_is_a_server_error_but_no_refusal() -> None:
    """No boundary answers it as a refusal: the secret's path never reaches a client."""
    error = SecretKeyError("/data/secret.key holds 4 bytes, not a 32-byte pypidesk secret")
    assert isinstance(error, ServerError)
    assert not isinstance(error, RefusedError)


def test_headers_are_kept_per_error() -> None:
    limited = ApiError(429, "Too many.", "rate_limited", {"Retry-After": "60"})
    assert limited.headers == {"Retry-After": "60"}
    assert ApiError(400, "No.", "invalid").headers == {}
