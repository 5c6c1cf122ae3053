"""Secrets are hidden in text bound for logs."""

from __future__ import annotations

from pypidesk.client.redact import redact

TOKEN = "pypi-AgEIcHlwaWRlc2sCJGVjNmE4NDc4LTY2NzgtNDBhYS1hZDEy"


def test_tokens_are_hidden() -> None:
    assert redact(f"twine upload -p {TOKEN} dist/*") == "twine upload -p pypi-(hidden) dist/*"


def test_url_passwords_are_hidden() -> None:
    line = "GET http://__token__:s3cret@127.0.0.1:8765/simple/ 200"
    assert redact(line) == "GET http://__token__:(hidden)@127.0.0.1:8765/simple/ 200"


def test_ordinary_lines_stay() -> None:
    line = 'INFO: 127.0.0.1:5000 - "GET /simple/pypi-tools/ HTTP/1.1" 200 OK'
    assert redact(line) == line
