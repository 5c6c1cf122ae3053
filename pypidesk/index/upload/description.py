"""Rendering the long description to sanitized HTML (PyPI's step 12).

readme_renderer does what PyPI does: reStructuredText by default, Markdown
(GitHub flavour) and plain text on request; its output is already sanitized.
"""

from __future__ import annotations

from email.message import Message

from readme_renderer import markdown, rst, txt

DEFAULT_CONTENT_TYPE = "text/x-rst"


class DescriptionError(Exception):
    """The description could not be rendered; ``message`` is PyPI's text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def render(description: str | None, content_type: str | None, help_url: str) -> str | None:
    """Sanitized HTML for ``description``, or None when there is none to render."""
    if description is None:
        return None
    header = Message()
    header["Content-Type"] = content_type or DEFAULT_CONTENT_TYPE
    mime = header.get_content_type()
    params = dict(header.get_params() or [])
    if mime == "text/plain":
        html = txt.render(description)
    elif mime == "text/markdown":
        html = markdown.render(description, variant=params.get("variant", "GFM"))
    else:
        html = rst.render(description)
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
