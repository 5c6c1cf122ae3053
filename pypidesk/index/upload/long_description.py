"""Check 12 prepared before the write transaction: the description's size cap and its render.

A render may take seconds (issue 12), and the write transaction holds the
database's write lock, so the description is checked and rendered first,
in a render child with a time limit, and the transaction only reports the
outcome at check 12, in PyPI's order of checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.metadata import Metadata

from pypidesk.index.errors import RefusedError
from pypidesk.index.settings import ServerSettings
from pypidesk.index.upload.description import (
    DEFAULT_CONTENT_TYPE,
    DescriptionError,
    failed_to_render,
)
from pypidesk.index.upload.errors import UploadError
from pypidesk.index.upload.form import sanitize
from pypidesk.index.upload.metadata import parse_metadata
from pypidesk.index.upload.renderer import DescriptionRenderer, RenderBusy, RenderTimeout

KIB = 1024


@dataclass(frozen=True)
class PreparedDescription:
    """The outcome of check 12 for one description and content type."""

    description: str | None = None
    content_type: str | None = None
    html: str | None = None
    error: RefusedError | None = None

    def result(self, metadata: Metadata) -> str | None:
        """Check 12 in the transaction: the HTML (None: no description), or the refusal."""
        # The same fields, parsed the same way: prepared for exactly this upload.
        assert (self.description, self.content_type) == (
            metadata.description,
            metadata.description_content_type,
        )
        if self.error is not None:
            raise self.error
        return self.html


def prepare_description(
    fields: dict[str, list[str]], settings: ServerSettings, renderer: DescriptionRenderer
) -> PreparedDescription:
    """Check 12 for the description the upload's metadata holds, outside any transaction.

    Metadata that does not parse is refused by the transaction before it
    reaches check 12, so nothing is rendered for it.
    """
    try:
        metadata = parse_metadata(sanitize(fields))
    except RefusedError:
        return PreparedDescription()
    description = metadata.description
    content_type = metadata.description_content_type
    prepared = PreparedDescription(description, content_type)
    if description is None or not description.strip():
        return prepared
    size = len(description.encode("utf-8", "surrogatepass"))
    if size > settings.max_description_size:
        return PreparedDescription(
            description,
            content_type,
            error=DescriptionError(
                f"The description is too large: {size} bytes, where this index accepts "
                f"{settings.max_description_size // KIB} KiB at most. Shorten it; a long "
                "changelog can be linked with a Project-URL instead."
            ),
        )
    try:
        html = renderer.render(description, content_type or DEFAULT_CONTENT_TYPE)
    except RenderTimeout:
        error: RefusedError = DescriptionError(
            f"The description took longer than {renderer.timeout:g} s to render. Simplify "
            "it, or ask the index's administrator to raise --description-render-timeout."
        )
    except RenderBusy:
        error = UploadError(
            503, "Too many descriptions are being rendered at once; try the upload again."
        )
    else:
        if html is None:
            error = failed_to_render(content_type, settings.help_url)
        else:
            return PreparedDescription(description, content_type, html)
    return PreparedDescription(description, content_type, error=error)
