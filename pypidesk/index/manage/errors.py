"""Why a management action was refused: the branch of the server's error tree.

::

    ManageError                 the request cannot be done as asked (400)
    ├── NotFoundError           no such user, project, release, file or invitation (404)
    ├── PermissionDeniedError   the actor may not do this (403)
    │   └── DisabledError       an admin switch refuses it right now (403)
    └── ConflictError           the current state forbids it: already invited, sole Owner (409)

``message`` is one sentence a person can act on; ``code`` is a stable word
that scripts can match on; the class sets the HTTP status. The whole tree is
drawn in :mod:`pypidesk.index.errors`.
"""

from __future__ import annotations

from pypidesk.index.errors import RefusedError


class ManageError(RefusedError):
    """A management action refused with a message a person can act on."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code)


class NotFoundError(ManageError):
    status = 404
    code = "not_found"


class PermissionDeniedError(ManageError):
    status = 403
    code = "forbidden"


class DisabledError(PermissionDeniedError):
    """Refused by an admin switch (``code`` names it: ``read_only``, ``deletion_disabled``)."""

    code = "disabled"


class ConflictError(ManageError):
    status = 409
    code = "conflict"
