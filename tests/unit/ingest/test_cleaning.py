import pytest

from pipeline.ingest import CleanArticle, IngestConfig, InputError, RawDocument, clean_document
from pipeline.ingest.cleaning import normalise, strip_inline_markup

CONFIG = IngestConfig()


def _clean(text: str, fmt: str = "text", **kw) -> CleanArticle:
    return clean_document(RawDocument(source="x.txt", text=text, format=fmt, **kw), CONFIG)


def test_normalise_spaces_newlines_and_invisible_characters():
    assert normalise("a\u00a0 b\r\nc\u200b d  \r\n") == "a b\nc d"


def test_markdown_links_and_bold_are_stripped():
    assert strip_inline_markup("**Bold** and [a link](http://x.org/(y))") == "Bold and a link"


def test_title_line_is_split_from_text():
    article = _clean("Big Headline Here\n\nQatar offered to host talks on Monday. It said so.")
    assert article.title == "Big Headline Here"
    assert article.text.startswith("Qatar offered")


def test_block_offsets_slice_the_text():
    article = _clean(
        "Title\n\nFirst paragraph says a thing.\nIt goes on.\n\nSecond Heading\n\nMore text here. Yes."
    )
    for block in article.blocks:
        assert article.text[block.start : block.end].strip() == article.text[block.start : block.end]
    kinds = [b.kind for b in article.blocks]
    assert kinds == ["body", "heading", "body"]
    assert "First paragraph says a thing. It goes on." in article.text


def test_markdown_heading_image_and_italic_bio():
    text = (
        "# A Title\n\n![Soldiers on patrol](img.jpg)\n*Soldiers on patrol near the border*\n\n"
        "## Section\n\nNigeria pledged two battalions to the force.\n\n"
        "*Jane Doe is a correspondent covering West Africa.*"
    )
    article = _clean(text, fmt="markdown")
    assert article.title == "A Title"
    assert [b.kind for b in article.blocks] == ["caption", "heading", "body", "bio"]


def test_given_title_is_kept_and_text_not_cut():
    article = _clean("Short line\n\nBody sentence one. Body two.", title="Feed title")
    assert article.title == "Feed title"
    assert article.text.startswith("Short line")


def test_only_furniture_is_an_error():
    with pytest.raises(InputError) as info:
        _clean("Heading One\n\nTable of Contents\n\nAnother Heading")
    assert info.value.kind == "no-body"


def test_too_short_is_an_error():
    with pytest.raises(InputError) as info:
        _clean("Hi.")
    assert info.value.kind == "empty"
