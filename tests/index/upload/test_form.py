"""Upload-form checks (upload checks 3-4) and pre-processing."""

from __future__ import annotations

import pytest

from pypidesk.index.upload.errors import UploadError
from pypidesk.index.upload.form import check_file_fields, check_protocol, sanitize, validate_form

HELP = "See https://packaging.python.org/specifications/core-metadata for more information."


def form(**fields: str) -> dict[str, list[str]]:
    base = {
        "name": "foo",
        "filetype": "bdist_wheel",
        "pyversion": "py3",
        "sha256_digest": "a" * 64,
    }
    base.update(fields)
    return {k: [v] for k, v in base.items() if v is not None}


def error_of(fields: dict[str, list[str]]) -> str:
    with pytest.raises(UploadError) as info:
        validate_form(fields)
    assert info.value.status == 400
    return info.value.message


def test_sanitize_drops_unknown_and_escapes_nul() -> None:
    assert sanitize({"a": [" UNKNOWN "], "b": ["x\x00y", "UNKNOWN"]}) == {"b": ["x\\x00y"]}


def test_sanitize_drops_empty_values_as_pdm_sends_them() -> None:
    sent = {"description_content_type": [""], "home_page": [" "], "classifiers": ["", "X"]}
    assert sanitize(sent) == {"classifiers": ["X"]}


def test_file_parts_other_than_content_are_refused() -> None:
    check_file_fields(["content", "gpg_signature"])
    with pytest.raises(UploadError, match=r"^summary: Should not be a tuple\.$"):
        check_file_fields(["summary"])


def test_protocol_version() -> None:
    check_protocol({})
    check_protocol({"protocol_version": ["1"]})
    with pytest.raises(UploadError, match=r"^Unknown protocol version\.$"):
        check_protocol({"protocol_version": ["2"]})


def test_valid_form_defaults_sdist_pyversion() -> None:
    result = validate_form(form(filetype="sdist", pyversion=None, comment="hi"))
    assert (result.pyversion, result.comment) == ("source", "hi")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            form(name=None),
            f"'' is an invalid value for Name. Error: This field is required. {HELP}",
        ),
        (
            form(name="-bad"),
            "'-bad' is an invalid value for Name. Error: Start and end with a letter or numeral "
            f"containing only ASCII numeric and '.', '_' and '-'. {HELP}",
        ),
        (
            form(name="a" * 40 + "-" + "b" * 40 + "-", filetype="egg"),
            "'"
            + "a" * 30
            + "..."
            + "b" * 29
            + "-' is an invalid value for Name. Error: Start and "
            "end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'. "
            + HELP,
        ),
        (
            form(name="a" * 228),
            f"'{'a' * 30}...{'a' * 30}' is an invalid value for Name. Error: Use at most 227 "
            f"characters. {HELP}",
        ),
        (form(filetype=None), "Invalid value for filetype. Error: This field is required."),
        (form(filetype="bdist_egg"), "Invalid value for filetype. Error: Use a known file type."),
        (
            form(blake2_256_digest="xyz", sha256_digest="nothex"),
            "Invalid value for blake2_256_digest. Error: Use a valid, hex-encoded, BLAKE2 "
            "message digest.",
        ),
        (
            form(sha256_digest="nothex"),
            "Invalid value for sha256_digest. Error: Use a valid, hex-encoded, SHA256 message "
            "digest.",
        ),
        (
            form(pyversion=None),
            "Error: Python version is required for binary distribution uploads.",
        ),
        (form(filetype="sdist"), "Error: Use 'source' as Python version for an sdist."),
        (form(sha256_digest=None), "Error: Include at least one message digest."),
    ],
)
def test_form_errors(fields: dict[str, list[str]], message: str) -> None:
    assert error_of(fields) == message


def test_first_of_missing_field_is_none() -> None:
    assert validate_form(form()).first("nothing") is None


def test_the_longest_name_whose_files_fit_is_valid() -> None:
    # <name>-0-py3-none-any.whl.metadata is then exactly 255 bytes long.
    assert validate_form(form(name="a" * 227)).errors == {}
