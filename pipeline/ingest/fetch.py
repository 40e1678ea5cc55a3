"""Fetch HTTP(S) URLs into raw documents: HTML pages, plain text, JSON Lines and RSS/Atom feeds.

Politeness and safety are the HTTP layer's (:mod:`pipeline.ingest.http`): an honest User-Agent,
timeouts, retries with exponential backoff and jitter (Retry-After honoured up to a limit), a
response size cap, bounded concurrency overall and per host, and no requests to non-public
addresses. Every failure is one :class:`InputError`; a feed entry that fails is its own error
and never stops the others.
"""

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar
from urllib.parse import urlsplit

from pipeline.ingest.config import FetchConfig
from pipeline.ingest.document import RawDocument
from pipeline.ingest.errors import InputError
from pipeline.ingest.feeds import FeedEntry, parse_feed
from pipeline.ingest.html import extract_html
from pipeline.ingest.http import Fetcher, Response
from pipeline.ingest.readers import is_url, parse_jsonl_line

log = logging.getLogger(__name__)

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
XML_TYPES = frozenset({"application/xml", "text/xml"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
JSONL_TYPES = frozenset(
    {"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"}
)
GENERIC_TYPES = frozenset({"", "application/octet-stream", "text/plain", "application/json"})
SNIFF_BYTES = 4096
FEED_SNIFF_RE = re.compile(rb"<(?:rss|feed|rdf:rdf)\b", re.I)
HTML_SNIFF_RE = re.compile(rb"<(?:!doctype html|html|head|body)\b", re.I)
META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

T = TypeVar("T")


@dataclass(frozen=True)
class _PendingPage:
    """A feed entry whose text is on the page it links to."""

    entry: FeedEntry


def fetch_documents(urls: Sequence[str], config: FetchConfig) -> list[RawDocument | InputError]:
    """Fetch URLs concurrently into raw documents and errors, in a deterministic order.

    Results follow the order of ``urls`` (a URL given twice is fetched once), and a feed's
    articles follow the feed's entry order, whatever order the responses arrive in. A
    document's ``source`` is its final URL (after redirects); a feed entry's is the article's.
    Nothing raises for a bad input: each failure is an :class:`InputError` in the list.
    """
    unique = list(dict.fromkeys(urls))
    with Fetcher(config) as fetcher:
        first = fetcher.map(lambda url: _safely(url, lambda: load_url(fetcher, url)), unique)
        links = list(
            dict.fromkeys(
                item.entry.link for items in first for item in items if isinstance(item, _PendingPage)
            )
        )
        pages = dict(
            zip(
                links,
                fetcher.map(lambda link: _safely(link, lambda: [load_page(fetcher, link)]), links),
                strict=True,
            )
        )
    results: list[RawDocument | InputError] = []
    for items in first:
        for item in items:
            if isinstance(item, _PendingPage):
                page = pages[item.entry.link][0]
                results.append(
                    _with_entry_metadata(page, item.entry) if isinstance(page, RawDocument) else page
                )
            else:
                results.append(item)
    return results


def _safely(source: str, work: Callable[[], list[T]]) -> list[T | InputError]:
    """Run one unit of work; an unexpected exception becomes an error for ``source``, not a crash."""
    try:
        return list(work())
    except InputError as problem:
        return [problem]
    except Exception as exc:  # a parser bug on one odd page must not stop the other inputs
        log.exception("%s: unexpected failure while fetching", source)
        return [InputError(source, "fetch-failed", f"unexpected failure ({type(exc).__name__}: {exc})")]


def load_url(fetcher: Fetcher, url: str) -> list[RawDocument | InputError | _PendingPage]:
    """Fetch one input URL and turn it into documents (several for a feed or a JSONL file)."""
    if not is_url(url):
        raise InputError(url, "bad-url", "not an http:// or https:// URL")
    response = fetcher.get(url)
    kind = route(response, url)
    if kind == "feed":
        return list(_feed_items(response, url, fetcher.config))
    text = decode_body(response, url, html=kind == "html")
    if kind == "html":
        return [extract_html(text, source=response.url)]
    if kind == "jsonl":
        return list(_jsonl_items(text, response.url))
    return [RawDocument(source=response.url, text=text, format="text")]


def load_page(fetcher: Fetcher, link: str) -> RawDocument:
    """Fetch the article page a feed entry links to (HTML or plain text)."""
    response = fetcher.get(link)
    kind = route(response, link)
    if kind not in ("html", "text"):
        raise InputError(
            link,
            "unsupported-type",
            f"the feed entry links to {response.content_type or 'an untyped response'} ({kind}), "
            "not an article page",
        )
    text = decode_body(response, link, html=kind == "html")
    if kind == "html":
        return extract_html(text, source=response.url)
    return RawDocument(source=response.url, text=text, format="text")


def route(response: Response, source: str) -> str:
    """'feed', 'html', 'jsonl' or 'text' from the Content-Type, sniffing the body where it is vague."""
    if not response.body.strip():
        raise InputError(source, "empty", "the response body is empty")
    mime = response.content_type
    head = response.body[:SNIFF_BYTES]
    path = urlsplit(response.url).path.lower()
    if mime in FEED_TYPES:
        return "feed"
    if mime in JSONL_TYPES:
        return "jsonl"
    if mime in HTML_TYPES:
        return "html"
    if mime in XML_TYPES or mime in GENERIC_TYPES:
        if FEED_SNIFF_RE.search(head):
            return "feed"
        if mime in GENERIC_TYPES and path.endswith((".jsonl", ".ndjson")):
            return "jsonl"
        if mime in ("", "application/octet-stream") and HTML_SNIFF_RE.search(head):
            return "html"
        if mime == "text/plain":
            return "text"
    if mime in XML_TYPES:
        raise InputError(source, "unsupported-type", f"an XML document ({mime}) that is neither RSS nor Atom")
    raise InputError(
        source,
        "unsupported-type",
        f"unsupported content type '{mime or '(none)'}'; expected HTML, plain text, JSON Lines or RSS/Atom",
    )


def decode_body(response: Response, source: str, html: bool = False) -> str:
    """The body as text: the declared charset (for HTML also a <meta> one), else UTF-8."""
    body = response.body
    charset = response.charset
    if charset is None and html:
        match = META_CHARSET_RE.search(body[:SNIFF_BYTES])
        charset = match.group(1).decode("ascii").lower() if match else None
    if charset and charset.replace("_", "-") not in ("utf-8", "utf8"):
        try:
            return body.decode(charset)
        except LookupError:
            raise InputError(source, "bad-encoding", f"unknown character set '{charset}'") from None
        except UnicodeDecodeError as exc:
            raise InputError(
                source,
                "bad-encoding",
                f"the response is not valid {charset} (byte 0x{body[exc.start]:02x} at offset {exc.start})",
            ) from None
    if b"\x00" in body[:SNIFF_BYTES]:
        raise InputError(source, "binary", "the response looks binary (it contains NUL bytes), not text")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = "declares UTF-8" if charset else "declares no character set"
        raise InputError(
            source,
            "not-utf8",
            f"the response {declared} and is not valid UTF-8 "
            f"(byte 0x{body[exc.start]:02x} at offset {exc.start})",
        ) from None


def _jsonl_items(text: str, url: str) -> Iterator[RawDocument | InputError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield parse_jsonl_line(line, f"{url}:{number}")
        except InputError as problem:
            yield problem


def _feed_items(
    response: Response, source: str, config: FetchConfig
) -> Iterator[RawDocument | InputError | _PendingPage]:
    content_type = response.content_type
    if response.charset:
        content_type += f"; charset={response.charset}"
    for entry in parse_feed(response.body, response.url, content_type, source, config.max_feed_items):
        full_text = entry.content is not None and len(entry.content) >= config.min_entry_content_chars
        if entry.link is not None and not full_text:
            yield _PendingPage(entry)  # a teaser: the linked page has the article
        elif entry.content:
            yield RawDocument(
                source=entry.source,
                text=entry.content,
                format="feed-entry",
                title=entry.title,
                published=entry.published,
            )
        else:
            yield InputError(
                entry.source, "no-content", "the feed entry has no text and no link to an article"
            )


def _with_entry_metadata(page: RawDocument, entry: FeedEntry) -> RawDocument:
    """The page's text with the feed's title and date, which are cleaner than the page's."""
    return replace(page, title=entry.title or page.title, published=entry.published or page.published)
