"""What the read side makes of odd answers: missing fields, legacy versions, other files."""

from __future__ import annotations

import datetime as dt

import httpx

from pypidesk.client import simple_api
from pypidesk.client.json_api import parse_project
from pypidesk.client.models import FileKind, ReleaseInfo
from pypidesk.client.parsing import file_kind, parse_time, python_tag, versions_newest_first
from tests.client.live_indexes import PublishedIndex


def test_times() -> None:
    assert parse_time("2024-05-01T10:00:00.5Z") == dt.datetime(
        2024, 5, 1, 10, 0, 0, 500000, dt.UTC
    )
    # PyPI's legacy field is UTC without an offset.
    assert parse_time("2024-05-01T10:00:00") == dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)
    assert parse_time("2024-05-01T12:00:00+02:00") == dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)
    for value in (None, "", "yesterday", 12):
        assert parse_time(value) is None


def test_versions_newest_first_with_legacy_versions_last() -> None:
    assert versions_newest_first(["1.0", "1.10", "dev-snapshot", "1.2rc1", "1.2"]) == [
        "1.10",
        "1.2",
        "1.2rc1",
        "1.0",
        "dev-snapshot",
    ]


def test_file_kinds_and_python_tags() -> None:
    assert file_kind("bdist_wheel", "x") is FileKind.WHEEL
    assert file_kind("sdist", "x") is FileKind.SDIST
    assert file_kind("bdist_egg", "x-1.0-py2.7.egg") is FileKind.OTHER
    assert file_kind(None, "x-1.0.zip") is FileKind.SDIST
    assert file_kind(None, "x-1.0.exe") is FileKind.OTHER
    assert python_tag("x-1.0-cp311.cp312-abi3-manylinux_2_17_x86_64.whl") == "cp311.cp312"
    assert python_tag("x-1.0.tar.gz") == "source"
    assert python_tag("not-a-wheel.whl") is None
    assert python_tag("x-1.0.exe") is None


def test_json_api_without_releases_uses_urls() -> None:
    # A release endpoint (/pypi/x/1.0/json) has no "releases"; PyPI may drop it one day.
    detail = parse_project(
        {
            "info": {"name": "x", "version": "1.0", "yanked": False},
            "urls": [
                {
                    "filename": "x-1.0.tar.gz",
                    "url": "http://h/x-1.0.tar.gz",
                    "packagetype": "sdist",
                    "python_version": "source",
                    "size": 10,
                    "upload_time": "2024-01-01T00:00:00",
                    "digests": {"sha256": "ab"},
                    "yanked": False,
                }
            ],
            "last_serial": 7,
        },
        None,
    )
    (release,) = detail.releases
    assert (release.version, release.yanked, detail.serial) == ("1.0", False, 7)
    assert release.files[0].upload_time == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert detail.description is None


def test_json_api_releases_without_files() -> None:
    # Only "info" says whether the latest release is yanked when it has no files.
    detail = parse_project(
        {
            "info": {"name": "x", "version": "2.0", "yanked": True, "yanked_reason": "oops"},
            "releases": {"1.0": [], "2.0": [], "3.0a1": [{"filename": "x.bin", "digests": []}]},
        },
        12,
    )
    assert [(r.version, r.yanked, r.yanked_reason) for r in detail.releases] == [
        ("3.0a1", False, None),
        ("2.0", True, "oops"),
        ("1.0", False, None),
    ]
    odd = detail.releases[0].files[0]
    assert (odd.kind, odd.sha256, odd.size, odd.python_tag) == (FileKind.OTHER, None, None, None)
    assert detail.serial == 12
    assert detail.releases[1].upload_time is None


def test_empty_project_has_no_latest_version() -> None:
    assert parse_project({}, None).latest_version is None


def test_release_date_is_its_first_upload() -> None:
    release = ReleaseInfo("1.0", (), yanked=None)
    assert release.upload_time is None


def _simple(url: str, body: str, content_type: str) -> httpx.Response:
    return httpx.Response(
        200,
        headers={"content-type": content_type},
        text=body,
        request=httpx.Request("GET", url),
    )


def test_simple_html_yanked_files_and_other_links() -> None:
    html = (
        '<a href="../../f/x-1.0.tar.gz#sha256=aa" data-yanked="broken">x-1.0.tar.gz</a>'
        '<a href="../../f/x-1.1-py3-none-any.whl">x-1.1-py3-none-any.whl</a>'
        '<a href="../../f/x-1.1.tar.gz">x-1.1.tar.gz</a>'
        '<a href="../../f/x-1.1.exe">x-1.1.exe</a>'
        '<a href="../../f/readme.txt">readme.txt</a>'
    )
    detail = simple_api.project_detail("x", _simple("http://h/simple/x/", html, "text/html"), None)
    newer, older = detail.releases
    assert (older.version, older.yanked, older.yanked_reason) == ("1.0", True, "broken")
    assert older.files[0].url == "http://h/f/x-1.0.tar.gz"
    assert older.files[0].sha256 == "aa"
    assert (newer.version, newer.yanked, newer.yanked_reason) == ("1.1", None, None)
    assert [f.filename for f in newer.files] == ["x-1.1-py3-none-any.whl", "x-1.1.tar.gz"]


async def test_simple_json_pages_of_a_live_index(published_index: PublishedIndex) -> None:
    async with httpx.AsyncClient() as http:
        index = await http.get(
            published_index.url + "/simple/", headers={"Accept": simple_api.ACCEPT}
        )
        page = await http.get(
            published_index.url + "/simple/demo-lib/", headers={"Accept": simple_api.ACCEPT}
        )
    assert index.headers["content-type"].startswith(simple_api.JSON_TYPE)
    assert simple_api.project_names(index) == ["demo-lib", "tools-x"]
    detail = simple_api.project_detail("demo-lib", page, 5)
    assert [r.version for r in detail.releases] == ["2.0", "1.1", "1.0"]
    yanked = detail.releases[0]
    assert (yanked.yanked, yanked.yanked_reason) == (True, "bad ABI")
    # PEP 700 gives sizes and upload times in JSON.
    wheel = detail.releases[1].files[0]
    assert wheel.size is not None
    assert wheel.upload_time is not None
    assert detail.serial == 5
