"""Client library: talks HTTP to any index, runs builds, uploads and the local index.

Never imports Qt: everything a button in the app does is a call here that a
script or a test can make too.

The HTTP parts are loaded on first use (PEP 562 ``__getattr__``): the app
imports this package before its first paint, and httpx alone costs more
than drawing the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pypidesk.client.errors import (
    ClientError,
    IndexHTTPError,
    IndexUnreachableError,
    LocalIndexError,
)

if TYPE_CHECKING:
    from pypidesk.client.health import IndexHealth, check_health

__all__ = [
    "ClientError",
    "IndexHTTPError",
    "IndexHealth",
    "IndexUnreachableError",
    "LocalIndexError",
    "check_health",
]

_LAZY = {"IndexHealth": "pypidesk.client.health", "check_health": "pypidesk.client.health"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
