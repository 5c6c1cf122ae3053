"""The long description: its size cap, and its rendering (docs/pypi-behaviour.md, check 12).

readme_renderer does what PyPI does: reStructuredText by default, Markdown
(GitHub flavour) and plain text on request; its output is already sanitized.

Rendering can take long on hostile input (issue 12), so it runs in a child
process with a time limit (:mod:`pypidesk.index.upload.renderer`), before the
upload's write transaction (:mod:`pypidesk.index.upload.long_description`).
"""

from __future__ import annotations

from email.message import Message

from pypidesk.index.errors import RefusedError

DEFAULT_CONTENT_TYPE = "text/x-rst"


class DescriptionError(RefusedError):
    """The description could not be rendered; ``message`` is PyPI's text (400)."""

    code = "invalid_description"


def render_html(description: str, content_type: str) -> str | None:
    """Sanitized HTML for ``description``, None when readme_renderer fails on it.

    Runs in the render child (:mod:`pypidesk.index.upload.render_worker`).
    """
    # Imported on first use: docutils, pygments and cmarkgfm add ~25 MB.
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


def failed_to_render(content_type: str | None, help_url: str) -> DescriptionError:
    """PyPI's refusal of a description that does not render."""
    if content_type:
        return DescriptionError(
            f"The description failed to render for {content_type!r}. "
            f"See {help_url}#description-content-type for more information."
        )
    return DescriptionError(
        "The description failed to render in the default format of "
        f"reStructuredText. See {help_url}#description-content-type for more information."
    )
