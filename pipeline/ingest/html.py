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
BLOCK_TAG_RE = re.compile(r"</?(?:div|section|center)\b[^>]*>", re.IGNORECASE)
INLINE_TAG_RE = re.compile(r"</?(?:span|font)\b[^>]*>", re.IGNORECASE)


# elements whose end tag HTML lets authors leave out: a new one closes the open one
SELF_CLOSING_SIBLINGS = frozenset({"p", "li", "option", "td", "th", "tr", "dt", "dd"})


class _DepthMeter(HTMLParser):
    """Nesting depth as a browser would build it: void elements take no level, and an
    unclosed <p>, <li>, <option> or cell is closed by its next sibling."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.deepest = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in VOID_ELEMENTS:
            return
        if tag in SELF_CLOSING_SIBLINGS and self.stack and self.stack[-1] == tag:
            self.stack.pop()
        self.stack.append(tag)
        self.deepest = max(self.deepest, len(self.stack))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


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
        # block containers become line breaks (their text must not run together), inline ones go
        html = INLINE_TAG_RE.sub("", BLOCK_TAG_RE.sub("<br>", html))
        if nesting_depth(html) > MAX_DEPTH:
            raise InputError(
                source,
                "too-deep",
                f"HTML is nested {depth} elements deep, more than the parser can read ({MAX_DEPTH})",
            )
    return _extract(html, source)


def main_text(html: str, with_metadata: bool = True):
    """trafilatura's extraction with the options every caller uses: no comments, tables or
    images, precision over recall; ``None`` when it finds nothing."""
    return trafilatura.bare_extraction(
        html,
        with_metadata=with_metadata,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        deduplicate=False,
    )


def _extract(html: str, source: str) -> RawDocument:
    result = main_text(html)
    text = getattr(result, "text", None) if result is not None else None
    if not text or not text.strip():
        raise InputError(source, "no-main-text", "no article text found in the HTML page")
    title = getattr(result, "title", None)
    published = getattr(result, "date", None)
    return RawDocument(source=source, text=text, format="html", title=title, published=published)
