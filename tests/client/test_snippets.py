"""The lines the app offers to paste, for the local index and any other profile."""

from __future__ import annotations

import tomllib

from pypidesk.client.profiles import TESTPYPI, local_profile
from pypidesk.client.snippets import (
    LOCAL_INDEX_NAME,
    pip_line,
    pypirc_section,
    pypirc_values,
    snippets,
    twine_line,
    uv_index,
)

LOCAL = local_profile("http://127.0.0.1:8765")


def test_pip_line_installs_from_the_simple_api() -> None:
    assert pip_line(LOCAL) == (
        "pip install --index-url http://127.0.0.1:8765/simple/ YOUR-PROJECT"
    )
    assert pip_line(TESTPYPI, "demo") == (
        "pip install --index-url https://test.pypi.org/simple/ demo"
    )


def test_uv_index_is_valid_toml_with_both_urls() -> None:
    table = tomllib.loads(uv_index(LOCAL))
    assert table == {
        "tool": {
            "uv": {
                "index": [
                    {
                        "name": LOCAL_INDEX_NAME,
                        "url": "http://127.0.0.1:8765/simple/",
                        "publish-url": "http://127.0.0.1:8765/legacy/",
                    }
                ]
            }
        }
    }


def test_twine_line_holds_the_token_only_when_given() -> None:
    assert twine_line(LOCAL) == (
        "twine upload --repository-url http://127.0.0.1:8765/legacy/ dist/*"
    )
    assert twine_line(LOCAL, "pypi-secret") == (
        "twine upload --repository-url http://127.0.0.1:8765/legacy/ "
        "-u __token__ -p pypi-secret dist/*"
    )


def test_pypirc_section_says_where_the_token_goes() -> None:
    assert pypirc_section(LOCAL) == (
        "[pypidesk-local]\n"
        "repository = http://127.0.0.1:8765/legacy/\n"
        "username = __token__\n"
        "# password = <your API token>\n"
    )
    assert pypirc_values(LOCAL, "pypi-x") == {
        "repository": "http://127.0.0.1:8765/legacy/",
        "username": "__token__",
        "password": "pypi-x",
    }
    assert "password = pypi-x\n" in pypirc_section(LOCAL, "pypi-x")


def test_snippets_keep_the_token_out_unless_given() -> None:
    plain = snippets(LOCAL)
    assert "pypi-" not in plain.twine + plain.pypirc + plain.pip + plain.uv
    with_token = snippets(LOCAL, "pypi-tok")
    assert "pypi-tok" in with_token.twine
    assert "pypi-tok" in with_token.pypirc
    assert with_token.pip == plain.pip
    assert with_token.uv == plain.uv
