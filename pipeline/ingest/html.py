"""Main text from HTML pages, boilerplate (menus, footers, related links) dropped."""

import re
from html.parser import HTMLParser

import trafilatura

from pipeline.ingest.document import RawDocument
from pipeline.ingest.errors import InputError

# libxml2, under trafilatura, drops what is nested deeper than about 255 elements
MAX_DEPTH = 200
VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
LAYOUT_TAG_RE = re.compile(r"</?(?:div|span|section|font|center)\b[^>]*>", re.IGNORECASE)


class _DepthMeter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth = self.deepest = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in VOID_ELEMENTS:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_ELEMENTS:
            self.depth = max(0, self.depth - 1)


def nesting_depth(html: str) -> int:
    meter = _DepthMeter()
    meter.feed(html)
    meter.close()
    return meter.deepest


def extract_html(html: str, source: str) -> RawDocument:
    """The page's main text; a page nested too deep for the parser has its layout containers
    removed first, and is refused with its own reason if that is not enough."""
    depth = nesting_depth(html)
    if depth > MAX_DEPTH:
        html = LAYOUT_TAG_RE.sub("", html)
        if nesting_depth(html) > MAX_DEPTH:
            raise InputError(
                source,
                "too-deep",
                f"HTML is nested {depth} elements deep, more than the parser can read ({MAX_DEPTH})",
            )
    return _extract(html, source)


def _extract(html: str, source: str) -> RawDocument:
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
