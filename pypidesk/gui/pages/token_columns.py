"""The columns of a token list, shared by the API tokens page and a project's Tokens tab.

Both lists show the same facts about a token (dates relative with the exact
time in the tooltip, "never" for a token never used or without expiry), so
they read alike; the tab adds whose token it is, since it lists everyone's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from pypidesk.client.manage_types import TokenInfo, TokenStatus
from pypidesk.gui import timefmt
from pypidesk.gui.record_table import Column

_CONTEXT = "TokenColumns"
_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)
_NEVER_USED = dt.datetime.min.replace(tzinfo=dt.UTC)


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def token_columns(
    now: Callable[[], dt.datetime], *, with_user: bool, unscoped: str
) -> list[Column[TokenInfo]]:
    """Name, [User,] Scope, Permissions, Created, Last used, Expires, Status.

    ``now`` gives the moment the list was loaded (relative dates and expiry
    count from it); ``unscoped`` is the scope shown for a whole-account token.
    """

    def when(value: dt.datetime | None, missing: str) -> str:
        return missing if value is None else timefmt.relative(value, now())

    def exact(value: dt.datetime | None) -> str:
        return "" if value is None else timefmt.exact(value)

    def scope(token: TokenInfo) -> str:
        return ", ".join(token.projects) if token.projects else unscoped

    def status(token: TokenInfo) -> str:
        if token.status(now()) is TokenStatus.EXPIRED:
            return _tr("Expired")
        return _tr("Active")

    user: list[Column[TokenInfo]] = (
        [Column(_tr("User"), lambda t: t.username)] if with_user else []
    )
    return [
        Column(_tr("Name"), lambda t: t.name, key=lambda t: t.name.casefold()),
        *user,
        Column(_tr("Scope"), scope),
        Column(_tr("Permissions"), lambda t: ", ".join(t.permissions)),
        Column(
            _tr("Created"),
            lambda t: when(t.created, ""),
            key=lambda t: t.created,
            tooltip=lambda t: exact(t.created),
        ),
        Column(
            _tr("Last used"),
            lambda t: when(t.last_used, _tr("never")),
            key=lambda t: t.last_used or _NEVER_USED,
            tooltip=lambda t: exact(t.last_used),
        ),
        Column(
            _tr("Expires"),
            lambda t: when(t.expires_at, _tr("never")),
            key=lambda t: t.expires_at or _FAR,
            tooltip=lambda t: exact(t.expires_at),
        ),
        Column(_tr("Status"), status),
    ]
