"""The client's exceptions; each message is a sentence a user can act on.

ClientError
├── IndexUnreachableError   no HTTP answer at all (refused, timeout, DNS)
├── IndexHTTPError          an answer, but not the one expected (carries the status)
└── LocalIndexError         the bundled local index could not be started
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
    def __init__(self, url: str, status_code: int, message: str) -> None:
        self.url = url
        self.status_code = status_code
        self.message = message
        super().__init__(f"The index at {url} answered {status_code}: {message}")


class LocalIndexError(ClientError):
    """The local index process failed to start or died."""
