"""Rendering the long description to sanitized HTML (docs/pypi-behaviour.md, upload check 12).

readme_renderer does what PyPI does: reStructuredText by default, Markdown
(GitHub flavour) and plain text on request; its output is already sanitized.
"""

from __future__ import annotations

import functools
from email.message import Message

from pypidesk.index.errors import RefusedError

DEFAULT_CONTENT_TYPE = "text/x-rst"


class DescriptionError(RefusedError):
    """The description could not be rendered; ``message`` is PyPI's text (400)."""

    code = "invalid_description"


def render(description: str | None, content_type: str | None, help_url: str) -> str | None:
    """Sanitized HTML for ``description``, or None when there is none to render."""
    if description is None or not description.strip():
        return None
    html = _render(description, content_type or DEFAULT_CONTENT_TYPE)
    if html is None:
        if content_type:
            raise DescriptionError(
                f"The description failed to render for {content_type!r}. "
                f"See {help_url}#description-content-type for more information."
            )
        raise DescriptionError(
            "The description failed to render in the default format of "
            f"reStructuredText. See {help_url}#description-content-type for more information."
        )
    return html


# docutils builds its option parser on every call (~10 ms); the files of one
# release, and the releases of one project, usually carry the same README.
@functools.lru_cache(maxsize=32)
def _render(description: str, content_type: str) -> str | None:
    # Imported on first use: docutils, pygments and cmarkgfm add ~25 MB to a
    # server process that may never see a description.
    from readme_renderer import markdown, rst, txt  # noqa: PLC0415

    header = Message()
    header["Content-Type"] = content_type
    mime = header.get_content_type()
    params = dict(header.get_params() or [])
    if mime == "text/plain":
        return txt.render(description)
    if mime == "text/markdown":
        return markdown.render(description, variant=params.get("variant", "GFM"))
    return rst.render(description)
