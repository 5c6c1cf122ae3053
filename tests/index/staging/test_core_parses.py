"""A publish parses each distinct core metadata once: the files of a release share theirs."""

from __future__ import annotations

from pathlib import Path

from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging.dist_form import form_fields
from pypidesk.index.staging.files import CoreParses
from pypidesk.index.storage import Digests
from pypidesk.index.upload.form import sanitize
from pypidesk.index.upload.metadata import parse_metadata
from tests.index.staging.stager import RENDERER
from tests.index.upload.dists import metadata_text

DIGESTS = Digests("0" * 32, "1" * 64, "2" * 64)


def test_equal_bytes_are_parsed_once_and_give_what_the_checks_would(tmp_path: Path) -> None:
    parses = CoreParses(ServerSettings(data_dir=tmp_path), RENDERER)
    core = metadata_text("tiny-pkg", "1.0", "Keywords: small\n\nThe *long* description.\n")
    first = parses.get(core.encode())
    # Equal bytes (another object): the same parse, not a new one.
    assert parses.get(bytes(core.encode())) is first
    other = parses.get(metadata_text("tiny-pkg", "1.0", "Keywords: other\n").encode())
    assert other is not first
    assert other.metadata.keywords == ["other"]
    # What the checks would make of the whole form of a file carrying it.
    whole = form_fields(core.encode(), "tiny_pkg-1.0-py3-none-any.whl", DIGESTS)
    assert form_fields(first.fields, "tiny_pkg-1.0-py3-none-any.whl", DIGESTS) == whole
    assert first.metadata.keywords == parse_metadata(sanitize(whole)).keywords == ["small"]
    assert first.description.description == first.metadata.description
    assert "*long*" in (first.description.description or "")
    assert first.description.html is not None
    assert "<em>long</em>" in first.description.html
