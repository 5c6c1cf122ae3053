"""The failure an upload step raises: an HTTP status plus PyPI's text.

A branch of the server's error tree (:mod:`pypidesk.index.errors`): the upload
route answers any :class:`~pypidesk.index.errors.RefusedError` the same way.
"""

from __future__ import annotations

from pypidesk.index.errors import RefusedError


class UploadError(RefusedError):
    """A refused upload; ``message`` goes into the HTTP reason phrase, as on PyPI."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, status=status)


def bad_request(message: str) -> UploadError:
    return UploadError(400, message)
