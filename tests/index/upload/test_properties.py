"""Property tests: arbitrary forms, filenames and bodies never crash and never leave state."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.version import Version

from pypidesk.index.settings import ServerSettings
from pypidesk.index.upload import filenames
from pypidesk.index.upload.errors import UploadError
from pypidesk.index.upload.multipart import receive_form
from pypidesk.index.upload.renderer import WorkerRenderer
from tests.index.upload.conftest import Uploads
from tests.index.upload.test_service import make_wheel

FIELDS = [
    "metadata_version", "name", "version", "filetype", "pyversion", "sha256_digest",
    "md5_digest", "blake2_256_digest", "protocol_version", "summary", "description",
    "description_content_type", "classifiers", "requires_dist", "project_urls", "keywords",
    "author_email", "home_page", "license", "license_expression", "dynamic", "requires_python",
]  # fmt: skip
text = st.text(max_size=40)
field_changes = st.dictionaries(
    st.sampled_from(FIELDS),
    st.one_of(st.none(), st.lists(text, min_size=1, max_size=2)),
    max_size=5,
)
names = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["tiny_pkg-1.0-py3-none-any.whl", "tiny_pkg-1.0.tar.gz", "x.zip", "a/b.whl", "t.whl"]
    ),
)
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _harness(tmp: str, renderer: WorkerRenderer) -> Uploads:
    from pypidesk.index.db.engine import Database
    from pypidesk.index.db.migrate import upgrade
    from pypidesk.index.storage import LocalFileStorage

    settings_ = ServerSettings(data_dir=Path(tmp))
    database = Database.from_url(settings_.resolved_database_url)
    upgrade(database.engine, settings_.data_dir)
    return Uploads(database, settings_, LocalFileStorage(settings_.packages_dir), renderer)


def test_arbitrary_forms_never_crash_or_leave_state(
    description_renderer: WorkerRenderer,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        uploads = _harness(tmp, description_renderer)
        wheel = make_wheel()

        @PROPERTY_SETTINGS
        @given(
            changes=field_changes,
            filename=names,
            data=st.one_of(st.just(wheel.data), st.binary(max_size=200)),
            ctype=st.sampled_from(["application/octet-stream", "", "image/png", None]),
        )
        def check(
            changes: dict[str, list[str] | None], filename: str, data: bytes, ctype: str | None
        ) -> None:
            before = (uploads.counts(), uploads.stored_files())
            fields = wheel.form(**changes)  # type: ignore[arg-type]
            result = uploads.upload(
                wheel, fields, filename=filename, data=data, content_type=ctype
            )
            assert result.status in (200, 400, 403, 409, 429)
            if result.status != 200:
                assert result.message
                assert (uploads.counts(), uploads.stored_files()) == before
            assert list(uploads.storage.tmp_dir.iterdir()) == []

        check()
        uploads.database.dispose()


@settings(max_examples=200, deadline=None, database=None)
@given(filename=st.text(max_size=80), filetype=st.sampled_from(["sdist", "bdist_wheel"]))
def test_filename_rules_only_raise_upload_errors(filename: str, filetype: str) -> None:
    for check in (
        lambda: filenames.check_characters_and_extension(filename, filetype),
        lambda: filenames.check_sdist_filename(filename, "tiny-pkg", Version("1.0")),
        lambda: filenames.check_wheel_filename(filename, "tiny-pkg", Version("1.0")),
    ):
        try:
            check()
        except UploadError as exc:
            status = exc.status
        else:
            status = 400
        assert status == 400


@settings(max_examples=100, deadline=None, database=None)
@given(body=st.binary(max_size=300), boundary=st.sampled_from(["b", "xyz"]))
def test_arbitrary_bodies_never_raise(body: bytes, boundary: str) -> None:
    async def chunks():
        yield body

    form = asyncio.run(
        receive_form(chunks(), f"multipart/form-data; boundary={boundary}", lambda: None)
    )
    assert form.error is None or form.error.status == 400
