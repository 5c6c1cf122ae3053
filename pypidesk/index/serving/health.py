"""``GET /_health``: what a load balancer, the desktop app and scripts poll."""

from __future__ import annotations

from fastapi import APIRouter

from pypidesk import __version__
from pypidesk.index.records.journal import current_serial
from pypidesk.index.serving.dependencies import ReadSession

router = APIRouter()


@router.get("/_health")
def health(session: ReadSession) -> dict[str, object]:
    """Answer only once the records can be read: a 200 means uploads can land."""
    return {"status": "ok", "version": __version__, "serial": current_serial(session)}
