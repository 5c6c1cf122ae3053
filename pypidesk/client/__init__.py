"""Client library: talks HTTP to any index, runs builds, uploads and the local index.

Never imports Qt: everything a button in the app does is a call here that a
script or a test can make too.
"""

from pypidesk.client.errors import (
    ClientError,
    IndexHTTPError,
    IndexUnreachableError,
    LocalIndexError,
)
from pypidesk.client.health import IndexHealth, check_health

__all__ = [
    "ClientError",
    "IndexHTTPError",
    "IndexHealth",
    "IndexUnreachableError",
    "LocalIndexError",
    "check_health",
]
