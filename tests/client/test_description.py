"""Descriptions render as PyPI renders them: GFM Markdown, reStructuredText, plain text."""

from __future__ import annotations

import pytest

from pypidesk.client.description import content_type_parts, render_description


def test_markdown_is_github_flavoured_by_default() -> None:
    html = render_description("| a |\n|---|\n| 1 |\n\n~~old~~", "text/markdown")
    assert "<table>" in html
    assert "<del>old</del>" in html


def test_markdown_commonmark_variant_has_no_tables() -> None:
    html = render_description("| a |\n|---|\n| 1 |", "text/markdown; variant=CommonMark")
    assert "<table>" not in html


def test_restructuredtext_is_the_default() -> None:
    html = render_description("Title\n=====\n\nSome *text*.", None)
    assert "<h1>Title" in html
    assert "<em>text</em>" in html


def test_broken_restructuredtext_is_shown_as_text() -> None:
    html = render_description("Some `broken *text", "text/x-rst")
    assert "Some `broken *text" in html
    assert "<em>" not in html


def test_plain_text_is_escaped() -> None:
    assert render_description("a <b>", "text/plain") == "a &lt;b&gt;"


def test_unknown_types_render_as_text() -> None:
    assert render_description("a <b>", "application/octet-stream") == "a &lt;b&gt;"


@pytest.mark.parametrize("text", [None, "", "  \n"])
def test_no_description_renders_empty(text: str | None) -> None:
    assert render_description(text, "text/markdown") == ""


def test_scripts_are_removed() -> None:
    html = render_description("<script>alert(1)</script>hi", "text/markdown")
    assert "<script" not in html


def test_content_type_parameters() -> None:
    assert content_type_parts("text/markdown; charset=UTF-8; variant=GFM") == (
        "text/markdown",
        {"charset": "UTF-8", "variant": "GFM"},
    )
    assert content_type_parts(None) == ("text/x-rst", {})
