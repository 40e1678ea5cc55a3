"""Main text from HTML pages, boilerplate (menus, footers, related links) dropped."""

import trafilatura

from pipeline.ingest.document import RawDocument
from pipeline.ingest.errors import InputError


def extract_html(html: str, source: str) -> RawDocument:
    result = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        deduplicate=False,
    )
    text = getattr(result, "text", None) if result is not None else None
    if not text or not text.strip():
        raise InputError(source, "no-main-text", "no article text found in the HTML page")
    title = getattr(result, "title", None)
    published = getattr(result, "date", None)
    return RawDocument(source=source, text=text, format="html", title=title, published=published)
