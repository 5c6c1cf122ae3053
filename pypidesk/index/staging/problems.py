"""RFC 9457 problem documents, as the PEP 694 draft requires for every error.

The draft's example spells the RFC's ``detail`` member ``details``; both are
sent, so a client written from either text finds the explanation.
"""

from __future__ import annotations

import http
import json
from collections.abc import Mapping, Sequence

from pypidesk.index.errors import RefusedError

API_VERSION = "2.0"
META = {"api-version": API_VERSION}
PROBLEM_TYPE = "application/problem+json"


class ProblemError(RefusedError):
    """A refused request: an HTTP status, one sentence, and the individual errors.

    ``errors`` are ``(source, message)`` pairs, the draft's ``errors`` array.
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Sequence[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail, status=status, headers=headers)
        self.errors = list(errors) or [("request", detail)]

    def body(self) -> bytes:
        """The problem document."""
        detail = self.message
        return json.dumps(
            {
                "type": "about:blank",
                "status": self.status,
                "title": http.HTTPStatus(self.status).phrase,
                "detail": detail,
                "details": detail,
                "meta": META,
                "errors": [
                    {"source": source, "message": message} for source, message in self.errors
                ],
            }
        ).encode()


def from_refusal(exc: RefusedError, source: str) -> ProblemError:
    """A legacy-upload refusal (PyPI's status and text) as a problem about ``source``."""
    return ProblemError(exc.status, exc.message, errors=[(source, exc.message)])
