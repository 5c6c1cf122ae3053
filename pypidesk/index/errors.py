"""Every failure the index server expects, as one exception tree.

::

    ServerError                   expected; ``str()`` is one sentence for a person
    ├── SecretKeyError            secret.key is unusable: the operator must fix the data dir
    └── RefusedError              a request refused, with an HTTP status and PyPI's text (400)
        ├── AuthenticationError   no usable credentials (403)
        ├── TokenScopeError       the API token may not do this (403)
        ├── AccountError          a bad username, email, password or token request (400)
        ├── ProjectCreationError  a new project refused: its name, a switch, the rate (4xx)
        ├── UnknownFlagError      not one of PyPI's admin switches (400)
        ├── UploadError           an upload step refused the file (4xx)
        ├── DescriptionError      the long description cannot be rendered (400)
        ├── ManageError           a management action refused (400)
        │   ├── NotFoundError          no such user, project, release, file, invitation (404)
        │   ├── PermissionDeniedError  the actor may not do this (403)
        │   │   └── DisabledError      an admin switch refuses it right now (403)
        │   └── ConflictError          the current state forbids it (409)
        ├── ApiError              refused by the API layer: rate limit, registration (4xx)
        └── AdminCommandError     an ``admin`` command cannot be done (400)

Each class lives with the code that raises it (``auth.identity``,
``records.accounts``, ``manage.errors``, ``upload.errors``, ...); this module
holds only the two roots and imports nothing of the server, so any subpackage
can raise from it. That is why it sits beside ``app`` and ``settings`` rather
than in one of the domain packages.

Each boundary catches a root once: the upload route answers a
:class:`RefusedError` with its ``status`` and ``message`` in the reason phrase
(what twine prints), the API's error handler answers it as
``{"message", "code"}`` with its ``status``, and ``pypidesk admin`` prints any
:class:`ServerError` on one line and exits 1. A :class:`SecretKeyError` is no
refusal: a request that meets it fails as a server error (500) and the
secret's path stays out of the answer.
"""

from __future__ import annotations

from collections.abc import Mapping


class ServerError(Exception):
    """A failure the server expects; the message is one sentence a person can act on."""


class RefusedError(ServerError):
    """A request the index refuses, with the status and text PyPI would answer.

    ``status`` and ``code`` default to the class's (a subclass sets its own);
    ``code`` is a stable word the management API returns for scripts to match
    on, and ``headers`` are sent with the API's answer (``Retry-After``).
    """

    status: int = 400
    code: str = "refused"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.headers = dict(headers or {})
