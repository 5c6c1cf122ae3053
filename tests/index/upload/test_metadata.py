"""Core-metadata checks (upload check 5): packaging's rules plus PyPI's own."""

from __future__ import annotations

import pytest

from pypidesk.index.upload.errors import UploadError
from pypidesk.index.upload.metadata import parse_metadata

HELP = "See https://packaging.python.org/specifications/core-metadata for more information."


def meta(**fields: str | list[str] | None) -> dict[str, list[str]]:
    base: dict[str, str | list[str] | None] = {
        "metadata_version": "2.4",
        "name": "foo",
        "version": "1.0",
    }
    base.update(fields)
    return {k: (v if isinstance(v, list) else [v]) for k, v in base.items() if v is not None}


def error_of(fields: dict[str, list[str]]) -> str:
    with pytest.raises(UploadError) as info:
        parse_metadata(fields)
    assert info.value.status == 400
    return info.value.message


def test_full_metadata_parses() -> None:
    metadata = parse_metadata(
        meta(
            summary="Short",
            keywords="a, b,,c",
            classifiers=["Programming Language :: Python :: 3"],
            project_urls=["Home, https://example.com", "Docs,https://docs.example.com"],
            requires_dist=["requests>=2"],
            provides_dist=["foo"],
            author_email="Jane <jane@example.com>",
            home_page="https://example.com",
            platform=["linux"],
            license_expression="MIT",
            ignored_field="x",
        )
    )
    assert metadata.keywords == ["a", "b", "c"]
    assert metadata.project_urls == {
        "Home": "https://example.com",
        "Docs": "https://docs.example.com",
    }
    assert metadata.platforms == ["linux"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            meta(version="dog", metadata_version="-1"),
            f"'-1' is not a valid metadata version. {HELP}",
        ),
        (meta(metadata_version=None), f"None is not a valid metadata version. {HELP}"),
        (meta(metadata_version="2.0"), f"'2.0' is not a valid metadata version. {HELP}"),
        (meta(version="dog", summary="a\nb"), f"'dog' is invalid for 'version'. {HELP}"),
        (
            meta(version="1.0+local"),
            "The use of local versions in '1.0+local' is not allowed. See "
            "https://packaging.python.org/specifications/version-specifiers for more information.",
        ),
        (meta(summary="x" * 513), f"'summary' field must be 512 characters or less. {HELP}"),
        (meta(summary="a\nb"), f"'summary' must be a single line. {HELP}"),
        (meta(name=["a", "b"]), f"'name' has invalid data. {HELP}"),
        (meta(keywords=["a", "b"]), f"'keywords' has invalid data. {HELP}"),
        (
            meta(project_urls=["A, https://a", "A, https://b"]),
            f"'project_urls' has invalid data. {HELP}",
        ),
        (
            meta(author_email="not-an-email"),
            f"'not-an-email' is not a valid email address. {HELP}",
        ),
        (meta(classifiers=["Nope :: Nope"]), f"'Nope :: Nope' is not a valid classifier. {HELP}"),
        (
            meta(classifiers=["Natural Language :: Ukranian"]),
            "The classifier 'Natural Language :: Ukranian' has been deprecated, use one of "
            f"['Natural Language :: Ukrainian'] instead. {HELP}",
        ),
        (
            meta(classifiers=["Topic :: Communications :: Chat :: AOL Instant Messenger"]),
            "The classifier 'Topic :: Communications :: Chat :: AOL Instant Messenger' has been "
            f"deprecated. {HELP}",
        ),
        (meta(home_page="not a url"), f"'not a url' is not a valid url. {HELP}"),
        (meta(project_urls=[", https://a"]), f"Must have a label. {HELP}"),
        (
            meta(project_urls=["x" * 33 + ", https://a"]),
            f"'{'x' * 33}' must be 32 characters or less. {HELP}",
        ),
        (meta(project_urls=["Home,"]), f"Must have a URL. {HELP}"),
        (meta(project_urls=["Home, ftp:/x"]), f"'ftp:/x' is not a valid url. {HELP}"),
        (meta(provides_dist=["bad =="]), None),
        (
            meta(obsoletes_dist=["x @ https://a/x.whl"]),
            f"Can't have direct dependency: 'x @ https://a/x.whl'. {HELP}",
        ),
        (
            meta(requires_dist=["x @ https://a/x.whl"]),
            f"Can't have direct dependency: x @ https://a/x.whl. {HELP}",
        ),
        (
            meta(license="MIT", license_expression="MIT"),
            "License is deprecated when License-Expression is present. Only License-Expression "
            f"should be present. {HELP}",
        ),
    ],
)
def test_metadata_errors(fields: dict[str, list[str]], message: str | None) -> None:
    text = error_of(fields)
    if message is None:
        assert text.startswith("'bad ==' is invalid: ")
    else:
        assert text == message


def test_unsupported_newer_metadata_version() -> None:
    assert error_of(meta(metadata_version="2.6")) == (
        f"'2.6' is not a valid metadata version. {HELP}"
    )


def test_nested_exception_groups_are_flattened() -> None:
    from packaging.metadata import InvalidMetadata

    from pypidesk.index.upload.metadata import _flatten

    inner = InvalidMetadata("name", "x")
    group = ExceptionGroup("outer", [ExceptionGroup("inner", [inner])])
    assert _flatten(group) == [inner]
