"""An upload tells the database's commit hook which project and release changed."""

from __future__ import annotations

from collections.abc import Sequence

from pypidesk.index.records.changes import ChangedProject
from tests.index.upload.conftest import Uploads
from tests.index.upload.dists import make_sdist, make_wheel


def test_an_upload_hands_over_its_project_and_release(uploads: Uploads) -> None:
    committed: list[list[ChangedProject]] = []

    def hook(changes: Sequence[ChangedProject]) -> None:
        committed.append(list(changes))

    uploads.database.on_commit = hook
    assert uploads.upload(make_wheel("Tiny.Pkg", "1.0")).status == 200
    assert uploads.upload(make_sdist("Tiny.Pkg", "1.0")).status == 200
    assert uploads.upload(make_sdist("Tiny.Pkg", "1.0")).status == 200  # the same: no change
    assert uploads.upload(make_wheel("tiny-pkg", "bad version")).status == 400
    assert committed == [
        # The first upload registered the project: the list of projects changed too.
        [ChangedProject("Tiny.Pkg", "tiny-pkg", "1.0", listing=True)],
        [ChangedProject("Tiny.Pkg", "tiny-pkg", "1.0")],
    ]
