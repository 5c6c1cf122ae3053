"""A long description rendered as PyPI renders it, to sanitized HTML.

readme_renderer is what Warehouse uses: reStructuredText when no content type
is given, Markdown (GitHub flavour unless ``variant=CommonMark``) and plain
text on request. When reStructuredText fails to render, PyPI shows the text
as it is; so do we.
"""

from __future__ import annotations

import functools
from email.message import Message

DEFAULT_CONTENT_TYPE = "text/x-rst"


def content_type_parts(content_type: str | None) -> tuple[str, dict[str, str]]:
    """The MIME type and its parameters (``variant``, ``charset``)."""
    header = Message()
    header["Content-Type"] = content_type or DEFAULT_CONTENT_TYPE
    params = {str(k): str(v) for k, v in (header.get_params() or [])[1:]}
    return header.get_content_type(), params


@functools.lru_cache(maxsize=16)
def render_description(description: str | None, content_type: str | None) -> str:
    """Sanitized HTML for a long description; empty for none."""
    if description is None or not description.strip():
        return ""
    # Imported on first use: docutils and pygments are large and most sessions
    # open few descriptions.
    from readme_renderer import markdown, rst, txt  # noqa: PLC0415

    mime, params = content_type_parts(content_type)
    if mime == "text/markdown":
        return markdown.render(description, variant=params.get("variant", "GFM")) or ""
    if mime == "text/x-rst":
        html = rst.render(description)
        if html is not None:
            return html
    return txt.render(description) or ""
