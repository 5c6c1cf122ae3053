"""PEP 691 negotiation decides like WebOb's acceptable_offers, as PyPI does."""

from __future__ import annotations

import pytest

from pypidesk.index.read.negotiation import HTML, V1_HTML, V1_JSON, choose

PIP_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, "
    "text/html; q=0.01"
)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, HTML),
        ("", HTML),
        (PIP_ACCEPT, V1_JSON),
        ("application/vnd.pypi.simple.v1+json", V1_JSON),
        ("application/vnd.pypi.simple.v1+html", V1_HTML),
        # A tie goes to the earlier offer: HTML first.
        (f"{HTML}, {V1_HTML}, {V1_JSON}", HTML),
        (f"{V1_JSON}, {V1_HTML}", V1_HTML),
        # Nothing acceptable: HTML, never a 406.
        ("text/plain", HTML),
        ("application/json", HTML),
        ("*/*", HTML),
        ("application/*", V1_HTML),
        (f"{V1_JSON}; q=0.5, text/*; q=0.4", V1_JSON),
        # A more specific range overrides a wildcard one.
        (f"*/*; q=0.9, {HTML}; q=0.1", V1_HTML),
        (f"{HTML}; q=0, {V1_JSON}; q=0.2", V1_JSON),
        # Malformed pieces are ignored; a bad q counts as 0.
        (f"garbage, {V1_JSON}; q=abc, {V1_HTML}; level=1", V1_HTML),
        (f"{V1_JSON}; Q=1.5", V1_JSON),
    ],
)
def test_choose_matches_warehouse(accept: str | None, expected: str) -> None:
    assert choose(accept) == expected
