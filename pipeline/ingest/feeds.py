"""RSS and Atom feeds (feedparser): one entry per article, with its link, title, date and own text."""

import logging
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

import feedparser

from pipeline.ingest.errors import InputError
from pipeline.ingest.html import main_text
from pipeline.ingest.readers import is_url

log = logging.getLogger(__name__)

# fmt: off
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "td", "th", "tr", "ul",
})
# fmt: on
SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})


@dataclass(frozen=True)
class FeedEntry:
    source: str  # the article URL, or the feed URL with '#entry-N' when the entry has no link
    link: str | None  # an http(s) URL of the article page
    title: str | None
    published: str | None  # ISO 8601 (UTC) when the feed's date parses, else the feed's own text
    content: str | None  # the entry's own text (the longest of its content and summary), paragraphs
    # separated by blank lines


def parse_feed(body: bytes, url: str, content_type: str, source: str, max_items: int) -> list[FeedEntry]:
    """The first ``max_items`` entries of an RSS/Atom document, in the feed's order.

    Raise :class:`InputError` 'malformed-feed' when feedparser finds no entries in a broken
    document, or 'empty' for a well-formed feed with no entries.
    """
    parsed = feedparser.parse(
        body, response_headers={"content-type": content_type or "application/xml", "content-location": url}
    )
    entries = parsed.entries
    if not entries:
        if parsed.bozo:
            reason = parsed.get("bozo_exception")
            raise InputError(source, "malformed-feed", f"not a well-formed RSS/Atom feed ({reason})")
        raise InputError(source, "empty", "the feed has no entries")
    if parsed.bozo:
        log.warning(
            "%s: feed is not well-formed (%s); read %d entries anyway",
            source,
            parsed.get("bozo_exception"),
            len(entries),
        )
    if len(entries) > max_items:
        log.info("%s: reading the first %d of %d feed entries", source, max_items, len(entries))
    return [_entry(entry, index, url) for index, entry in enumerate(entries[:max_items], start=1)]


def _entry(entry: dict, index: int, feed_url: str) -> FeedEntry:
    link = entry.get("link")
    link = urljoin(feed_url, link.strip()) if isinstance(link, str) and link.strip() else None
    if link is not None and not is_url(link):
        link = None
    title = (entry.get("title") or "").strip() or None
    return FeedEntry(
        source=link or f"{feed_url}#entry-{index}",
        link=link,
        title=title,
        published=_published(entry),
        content=_own_text(entry),
    )


def _published(entry: dict) -> str | None:
    for key in ("published", "updated", "created"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
        raw = entry.get(key)
        if raw:
            return str(raw).strip() or None
    return None


def _own_text(entry: dict) -> str | None:
    candidates = [item for item in entry.get("content") or [] if item.get("value")]
    if entry.get("summary"):
        candidates.append(entry.get("summary_detail") or {"value": entry["summary"], "type": "text/html"})
    texts = [_to_text(item.get("value", ""), item.get("type", "text/html")) for item in candidates]
    texts = [text for text in texts if text]
    return max(texts, key=len) if texts else None


def _to_text(value: str, media_type: str) -> str:
    """Feed content as plain text, one paragraph per block separated by blank lines."""
    if media_type == "text/plain":
        paragraphs = [" ".join(part.split()) for part in value.split("\n\n")]
        return "\n\n".join(part for part in paragraphs if part)
    extracted = main_text(f"<html><body><article>{value}</article></body></html>", with_metadata=False)
    text = getattr(extracted, "text", None) if extracted is not None else None
    lines = (text or "").split("\n") if text and text.strip() else html_to_lines(value)
    return "\n\n".join(line.strip() for line in lines if line.strip())


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []
        self._skipping = 0

    def _flush(self) -> None:
        line = " ".join("".join(self._current).split())
        if line:
            self.lines.append(line)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in SKIP_TAGS:
            self._skipping += 1
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._current.append(data)


def html_to_lines(html: str) -> list[str]:
    """The text of an HTML fragment, one line per block element (scripts and styles dropped)."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.lines
