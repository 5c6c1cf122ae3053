"""The client's exceptions; each message is a sentence a user can act on.

ClientError
├── IndexUnreachableError       no HTTP answer at all (refused, timeout, DNS)
├── IndexHTTPError              an answer, but not the one expected (carries the status)
│   ├── AuthenticationError     401/403: the credentials are missing, wrong or not enough
│   └── NotFoundError           404: the project, release or endpoint is not there
├── SignInRequiredError         the question needs a signed-in user (PyPI's "my projects")
└── LocalIndexError             the bundled local index could not be started
    ├── PortInUseError          its port is taken by another program
    ├── DataDirError            its data folder cannot be created or written
    └── LocalSetupError         its account or token for the app could not be made
"""

from __future__ import annotations


class ClientError(Exception):
    """Base of every error the client library raises on purpose."""


class IndexUnreachableError(ClientError):
    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"Could not reach the index at {url}: {reason}. "
            "Check the address and that the server is running."
        )


class IndexHTTPError(ClientError):
    """The index answered with an error; :attr:`message` is the server's own text."""

    def __init__(self, url: str, status_code: int, message: str) -> None:
        self.url = url
        self.status_code = status_code
        self.message = message
        super().__init__(f"The index at {url} answered {status_code}: {message}")


class AuthenticationError(IndexHTTPError):
    """401 or 403: sign in again, or use a token with more scope."""


class NotFoundError(IndexHTTPError):
    """404: nothing at that URL on this index."""


class SignInRequiredError(ClientError):
    """What was asked needs a user: on PyPI, only a username says which projects are "mine"."""

    def __init__(self, index_name: str) -> None:
        self.index_name = index_name
        super().__init__(
            f"{index_name} does not list everyone's projects: sign in (or give your "
            "username) to see yours."
        )


class LocalIndexError(ClientError):
    """The local index process failed to start or died."""


class PortInUseError(LocalIndexError):
    """The configured port is taken; the message says how to get out of it."""

    def __init__(self, port: int) -> None:
        self.port = port
        super().__init__(
            f"Port {port} is in use by another program. Choose another port on the "
            "Local index page (or 0 for any free port), or stop that program."
        )


class DataDirError(LocalIndexError):
    """The data folder cannot be created or written."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"The data folder {path} cannot be written ({reason}). Make it writable, "
            "or start pypidesk with --config-dir pointing to a folder you own."
        )


class LocalSetupError(LocalIndexError):
    """Making the app's account or token on the local index failed; the message says why."""
