"""Fetch HTTP(S) URLs into raw documents: HTML pages, plain text, JSON Lines and RSS/Atom feeds.

Politeness and safety: an honest User-Agent, timeouts, retries with exponential backoff and
jitter (Retry-After honoured up to a limit), a response size cap enforced while streaming,
bounded concurrency overall and per host, and no requests to non-public addresses (checked
for every redirect hop) unless the settings allow them. Every failure is one
:class:`InputError`; a feed entry that fails is its own error and never stops the others.
"""

import email.utils
import ipaddress
import itertools
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from pipeline.ingest.config import FetchConfig
from pipeline.ingest.document import RawDocument
from pipeline.ingest.errors import InputError
from pipeline.ingest.feeds import FeedEntry, parse_feed
from pipeline.ingest.html import extract_html
from pipeline.ingest.readers import is_url, parse_jsonl_line

log = logging.getLogger(__name__)

ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, text/plain;q=0.8, application/x-ndjson;q=0.8, */*;q=0.1"
)
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
XML_TYPES = frozenset({"application/xml", "text/xml"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
JSONL_TYPES = frozenset(
    {"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"}
)
GENERIC_TYPES = frozenset({"", "application/octet-stream", "text/plain", "application/json"})
RETRY_STATUSES = frozenset({408, 429})
MAX_BACKOFF_S = 60.0
SNIFF_BYTES = 4096
FEED_SNIFF_RE = re.compile(rb"<(?:rss|feed|rdf:rdf)\b", re.I)
HTML_SNIFF_RE = re.compile(rb"<(?:!doctype html|html|head|body)\b", re.I)
META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Response:
    """A complete, size-checked HTTP response."""

    url: str  # the final URL, after redirects
    content_type: str  # the media type, lowercased, without parameters ('' when absent)
    charset: str | None
    body: bytes


class _Retryable(Exception):
    """A failed attempt worth repeating: a timeout, a dropped connection, 408, 429 or 5xx."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class _PendingPage:
    """A feed entry whose text is on the page it links to."""

    entry: FeedEntry


class Fetcher:
    """One HTTP client shared by worker threads, with a global and a per-host concurrency limit."""

    def __init__(self, config: FetchConfig) -> None:
        self.config = config
        self._client = httpx.Client(
            headers={"User-Agent": config.user_agent, "Accept": ACCEPT},
            timeout=httpx.Timeout(config.timeout_s, pool=None),
            follow_redirects=False,  # followed here, so each hop counts against its own host's limit
            limits=httpx.Limits(
                max_connections=config.max_concurrency, max_keepalive_connections=config.max_concurrency
            ),
        )
        self._slots = threading.BoundedSemaphore(config.max_concurrency)
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self._random = random.Random()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _slot(self, url: str) -> Iterator[None]:
        host = _host(url)
        with self._lock:
            host_slot = self._host_slots.get(host)
            if host_slot is None:
                host_slot = threading.BoundedSemaphore(self.config.max_concurrency_per_host)
                self._host_slots[host] = host_slot
        # always the host first, then the global slot: no two threads can wait on each other
        with host_slot, self._slots:
            yield

    def get(self, url: str) -> Response:
        """GET one URL with retries; raise :class:`InputError` (source ``url``) when it fails."""
        attempts = self.config.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._follow(url)
            except _Retryable as failure:
                if attempt == attempts:
                    suffix = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
                    raise InputError(url, failure.kind, failure.message + suffix) from None
                delay = self._backoff(attempt)
                if failure.retry_after is not None:
                    if failure.retry_after > self.config.max_retry_after_s:
                        raise InputError(
                            url,
                            failure.kind,
                            f"{failure.message}; the server asked to retry after "
                            f"{failure.retry_after:g} s, over the limit of "
                            f"{self.config.max_retry_after_s:g} s (STANCE_INGEST__FETCH__MAX_RETRY_AFTER_S)",
                        ) from None
                    delay = max(delay, failure.retry_after)
                log.info(
                    "%s: %s; attempt %d of %d, retrying in %.2f s",
                    url,
                    failure.message,
                    attempt,
                    attempts,
                    delay,
                )
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        base = min(self.config.backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S)
        return base * (0.5 + self._random.random())  # jitter: 50% to 150% of the exponential step

    def _follow(self, url: str) -> Response:
        current = url
        for _ in range(self.config.max_redirects + 1):
            outcome = self._attempt(current, url)
            if isinstance(outcome, Response):
                return outcome
            status, location = outcome
            target = urljoin(current, location)
            if not self.config.follow_redirects:
                raise InputError(
                    url, "http-error", f"HTTP {status} redirect to {target} (following redirects is off)"
                )
            if not is_url(target):
                raise InputError(url, "bad-redirect", f"HTTP {status} redirect to a non-HTTP(S) URL {target}")
            current = target
        raise InputError(url, "too-many-redirects", f"more than {self.config.max_redirects} redirects")

    def _attempt(self, url: str, source: str) -> Response | tuple[int, str]:
        """One request: a complete response, a redirect (status, location), or an exception."""
        config = self.config
        if not config.allow_private_addresses:
            _refuse_non_public(url, source)
        with self._slot(url):
            started = time.monotonic()
            try:
                with self._client.stream("GET", url) as response:
                    status = response.status_code
                    if response.is_redirect:
                        return status, response.headers["location"]
                    if status >= 400:
                        message = f"HTTP {status} {response.reason_phrase}".rstrip()
                        if status in RETRY_STATUSES or status >= 500:
                            raise _Retryable(
                                "http-error", message, _retry_after(response.headers.get("retry-after"))
                            )
                        raise InputError(source, "http-error", message)
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > config.max_response_bytes:
                        raise InputError(
                            source,
                            "too-large",
                            f"response declares {int(declared):,} bytes, over the limit of "
                            f"{config.max_response_bytes:,} (STANCE_INGEST__FETCH__MAX_RESPONSE_BYTES)",
                        )
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > config.max_response_bytes:
                            raise InputError(
                                source,
                                "too-large",
                                f"response is over the limit of {config.max_response_bytes:,} bytes "
                                "(stopped reading; STANCE_INGEST__FETCH__MAX_RESPONSE_BYTES)",
                            )
                        if time.monotonic() - started > config.total_timeout_s:
                            raise _Retryable(
                                "timeout", f"response not complete within {config.total_timeout_s:g} s"
                            )
                        chunks.append(chunk)
                    mime, charset = _content_type(response.headers.get("content-type", ""))
                    return Response(str(response.url), mime, charset, b"".join(chunks))
            except httpx.UnsupportedProtocol as exc:
                raise InputError(source, "bad-url", f"cannot fetch this URL ({exc})") from exc
            except httpx.TimeoutException as exc:
                phase = "connect" if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout) else "response"
                raise _Retryable("timeout", f"no {phase} within {config.timeout_s:g} s") from exc
            except httpx.TransportError as exc:
                raise _Retryable(
                    "connection-error", f"connection failed ({exc or type(exc).__name__})"
                ) from exc
            except httpx.DecodingError as exc:
                raise InputError(source, "bad-encoding", f"cannot decode the response body ({exc})") from exc
            except httpx.InvalidURL as exc:
                raise InputError(source, "bad-url", f"invalid URL ({exc})") from exc

    def map(self, function: Callable[[str], R], urls: Sequence[str]) -> list[R]:
        """``function`` over ``urls`` on worker threads; results in the order of ``urls``.

        Work is started host by host in turn, so that many URLs on one host (a feed's entries)
        do not hold every worker waiting for that host's slots while other hosts wait too.
        """
        if not urls:
            return []
        by_host: dict[str, list[int]] = {}
        for index, url in enumerate(urls):
            by_host.setdefault(_host(url), []).append(index)
        order = [
            index
            for round_ in itertools.zip_longest(*by_host.values())
            for index in round_
            if index is not None
        ]
        workers = min(self.config.max_concurrency, len(urls))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stance-fetch") as pool:
            futures = {index: pool.submit(function, urls[index]) for index in order}
            return [futures[index].result() for index in range(len(urls))]


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


def _refuse_non_public(url: str, source: str) -> None:
    """Raise ``blocked-address`` when the URL's host is, or resolves to, an address that is not
    public (loopback, private, link-local, reserved, multicast, unspecified). A host that does
    not resolve is left to the request, which reports it as a connection error."""
    host = _host(url)
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            where = "" if url == source else f" (redirected to {url})"
            raise InputError(
                source,
                "blocked-address",
                f"{host} resolves to the non-public address {address}{where}; refused "
                "(STANCE_INGEST__FETCH__ALLOW_PRIVATE_ADDRESSES=true allows it)",
            )


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _content_type(header: str) -> tuple[str, str | None]:
    mime, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip("\"'"):
            charset = value.strip().strip("\"'").lower()
    return mime.strip().lower(), charset


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or odd."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
