"""Filename rules: characters, extensions, PEP 625 sdists, wheel names and platform tags."""

from __future__ import annotations

import pytest
from packaging.version import Version

from pypidesk.index.upload.errors import UploadError
from pypidesk.index.upload.filenames import (
    check_characters_and_extension,
    check_sdist_filename,
    check_wheel_filename,
    is_allowed_platform,
)


def message(call, *args) -> str:
    with pytest.raises(UploadError) as info:
        call(*args)
    assert info.value.status == 400
    return info.value.message


@pytest.mark.parametrize(
    "tag",
    [
        "any", "win_amd64", "manylinux2014_aarch64", "linux_armv7l", "macosx_10_9_x86_64",
        "macosx_11_0_arm64", "macosx_26_0_universal2", "manylinux_2_28_riscv64",
        "manylinux_2_17_ppc64", "musllinux_1_2_x86_64", "ios_13_0_arm64_iphoneos",
        "android_21_arm64_v8a", "pyemscripten_2024_0_wasm32",
    ],
)  # fmt: skip
def test_allowed_platform_tags(tag: str) -> None:
    assert is_allowed_platform(tag)


@pytest.mark.parametrize(
    "tag",
    ["linux_x86_64", "macosx_11_1_arm64", "musllinux_1_2_ppc64", "macosx_10_9_sparc", "freebsd"],
)
def test_refused_platform_tags(tag: str) -> None:
    assert not is_allowed_platform(tag)


@pytest.mark.parametrize(
    ("filename", "filetype", "expected"),
    [
        (
            "a\x07.whl",
            "bdist_wheel",
            "Cannot upload a file with non-printable characters (ordinals 0-31) or the DEL "
            "character (ordinal 127) in the name.",
        ),
        ("a/b.whl", "bdist_wheel", "Cannot upload a file with '/' or '\\' in the name."),
        ("a\\b.whl", "bdist_wheel", "Cannot upload a file with '/' or '\\' in the name."),
        (
            "foo.whl",
            "sdist",
            "Invalid file extension: Extension .whl is invalid for filetype sdist. See "
            "https://www.python.org/dev/peps/pep-0527 for more information.",
        ),
        (
            "foo.tar.gz",
            "bdist_wheel",
            "Invalid file extension: Extension .tar.gz is invalid for filetype bdist_wheel. See "
            "https://www.python.org/dev/peps/pep-0527 for more information.",
        ),
        (
            "foo.zip",
            "bdist_wheel",
            "Invalid file extension: Extension .zip is invalid for filetype bdist_wheel. See "
            "https://www.python.org/dev/peps/pep-0527 for more information.",
        ),
    ],
)
def test_character_and_extension_errors(filename: str, filetype: str, expected: str) -> None:
    assert message(check_characters_and_extension, filename, filetype) == expected


def test_good_names_pass() -> None:
    check_characters_and_extension("foo-1.0.zip", "sdist")
    check_sdist_filename("some_thing-1.0.post9.tar.gz", "Some.Thing", Version("1.0-9"))
    check_wheel_filename("some_thing-1.0-py3-none-any.whl", "Some-Thing", Version("1.0"))


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("foo.tar.gz", "Invalid source distribution filename: foo.tar.gz"),
        ("other-1.0.tar.gz", "Start filename for 'Some.Thing' with 'some_thing'."),
        (
            "Some_Thing-1.0.tar.gz",
            "Filename 'Some_Thing-1.0.tar.gz' is invalid, should be 'some_thing-1.0.tar.gz'.",
        ),
        (
            "some_thing-1.0.zip",
            "Filename 'some_thing-1.0.zip' is invalid, should be 'some_thing-1.0.tar.gz'.",
        ),
    ],
)
def test_sdist_name_errors(filename: str, expected: str) -> None:
    assert message(check_sdist_filename, filename, "Some.Thing", Version("1.0")) == expected


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("foo-1.0.whl", "Invalid wheel filename (wrong number of parts): 'foo-1.0'"),
        (
            "some_thing-1.0-cp312-cp312-linux_x86_64.whl",
            "Binary wheel 'some_thing-1.0-cp312-cp312-linux_x86_64.whl' has an unsupported "
            "platform tag 'linux_x86_64'.",
        ),
        ("other-1.0-py3-none-any.whl", "Start filename for 'Some.Thing' with 'some_thing'."),
        (
            "Some_Thing-1.0-py3-none-any.whl",
            "Filename 'Some_Thing-1.0-py3-none-any.whl' should contain the normalized project "
            "name 'some_thing', not 'Some_Thing'.",
        ),
        ("some_thing-2.0-py3-none-any.whl", "Version in filename should be '1.0' not '2.0'."),
    ],
)
def test_wheel_name_errors(filename: str, expected: str) -> None:
    assert message(check_wheel_filename, filename, "Some.Thing", Version("1.0")) == expected


def test_a_filename_longer_than_the_file_system_allows_with_metadata_is_refused() -> None:
    fits = "a" * (246 - len("-1-py3-none-any.whl")) + "-1-py3-none-any.whl"
    check_characters_and_extension(fits, "bdist_wheel")
    too_long = "\u00e9" + fits[1:]  # one byte more in UTF-8
    assert message(check_characters_and_extension, too_long, "bdist_wheel") == (
        f"Filename is too long: {too_long!r}"
    )
