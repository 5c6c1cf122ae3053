"""Why a management action was refused, as one exception tree.

::

    ManageError                 the request cannot be done as asked (400)
    ├── NotFoundError           no such user, project, release, file or invitation (404)
    ├── PermissionDeniedError   the actor may not do this (403)
    │   └── DisabledError       an admin switch refuses it right now (403)
    └── ConflictError           the current state forbids it: already invited, sole Owner (409)

``message`` is one sentence a person can act on; ``code`` is a stable word
that scripts can match on. The API layer turns the class into a status.
"""

from __future__ import annotations


class ManageError(Exception):
    """A management action refused with a message a person can act on."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFoundError(ManageError):
    code = "not_found"


class PermissionDeniedError(ManageError):
    code = "forbidden"


class DisabledError(PermissionDeniedError):
    """Refused by an admin switch (``code`` names it: ``read_only``, ``deletion_disabled``)."""

    code = "disabled"


class ConflictError(ManageError):
    code = "conflict"
