"""The one failure an upload step can raise: an HTTP status plus PyPI's text."""

from __future__ import annotations


class UploadError(Exception):
    """A refused upload; ``message`` goes into the HTTP reason phrase, as on PyPI."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> UploadError:
    return UploadError(400, message)
