"""Check 12 prepared outside the transaction: the size cap, time limit and busy renderers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from pypidesk.index.upload.renderer import WorkerRenderer
from tests.index.upload.conftest import Uploads
from tests.index.upload.dists import make_wheel
from tests.index.upload.test_renderer import SLOW_MARKDOWN


@pytest.fixture
def quick_renderer() -> Iterator[WorkerRenderer]:
    renderer = WorkerRenderer(workers=1, timeout=0.5, queue_timeout=0.5)
    yield renderer
    renderer.close()


def test_a_description_over_the_cap_is_refused_unrendered(uploads: Uploads) -> None:
    uploads.settings = dataclasses.replace(uploads.settings, max_description_size=1024)
    wheel = make_wheel()
    result = uploads.upload(wheel, wheel.form(description="é" * 513))
    assert (result.status, result.message) == (
        400,
        "The description is too large: 1026 bytes, where this index accepts 1 KiB at most. "
        "Shorten it; a long changelog can be linked with a Project-URL instead.",
    )
    assert uploads.counts() == (0, 0, 0, 0)
    assert uploads.upload(wheel, wheel.form(description="é" * 512)).status == 200


def test_a_render_out_of_time_is_refused(uploads: Uploads, quick_renderer: WorkerRenderer) -> None:
    uploads.renderer = quick_renderer
    wheel = make_wheel()
    fields = wheel.form(description=SLOW_MARKDOWN, description_content_type="text/markdown")
    result = uploads.upload(wheel, fields)
    assert (result.status, result.message) == (
        400,
        "The description took longer than 0.5 s to render. Simplify it, or ask the index's "
        "administrator to raise --description-render-timeout.",
    )
    assert uploads.counts() == (0, 0, 0, 0)
    assert uploads.stored_files() == []


def test_renderers_busy_for_a_whole_time_limit(
    uploads: Uploads, quick_renderer: WorkerRenderer
) -> None:
    uploads.renderer = quick_renderer
    quick_renderer._slots.acquire()  # as a long render holds the only child
    try:
        result = uploads.upload(make_wheel())
    finally:
        quick_renderer._slots.release()
    assert (result.status, result.message) == (
        503,
        "Too many descriptions are being rendered at once; try the upload again.",
    )


def test_metadata_refused_before_check_12_is_not_rendered(
    uploads: Uploads, quick_renderer: WorkerRenderer
) -> None:
    uploads.renderer = quick_renderer
    wheel = make_wheel()
    result = uploads.upload(wheel, wheel.form(description=SLOW_MARKDOWN, version="dog"))
    assert (result.status, result.message.startswith("'dog' is invalid for 'version'")) == (
        400,
        True,
    )
    assert (quick_renderer._done, quick_renderer._idle) == ({}, [])
