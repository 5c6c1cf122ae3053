"""The Simple repository API (PEP 503), as pip and uv read it."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from packaging.utils import canonicalize_name
from sqlalchemy import select

from pypidesk.index.db.models import Project
from pypidesk.index.dependencies import ReadSession
from pypidesk.index.journal import current_serial

router = APIRouter()

API_VERSION = "1.4"


@router.get("/simple/", response_class=HTMLResponse)
def simple_index(session: ReadSession) -> HTMLResponse:
    """Every project, one link each, in normalized-name order as PyPI lists them."""
    projects = session.scalars(select(Project).order_by(Project.normalized_name)).all()
    links = "\n".join(
        f'    <a href="/simple/{canonicalize_name(p.name)}/">{escape(p.name)}</a><br />'
        for p in projects
    )
    page = (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
        "    <title>Simple index</title>\n  </head>\n  <body>\n"
        f"{links}\n  </body>\n</html>\n"
    )
    return HTMLResponse(page, headers={"X-PyPI-Last-Serial": str(current_serial(session))})
