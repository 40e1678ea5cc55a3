"""A local HTTP server on 127.0.0.1 that serves pages and feeds, and misbehaves on request.

It counts attempts per path, records the User-Agent it receives, the number of requests in
flight per group, and how many bytes of an oversized body it managed to send.
"""

import contextlib
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ARTICLE_PARAGRAPHS = {
    "one": [
        "Qatar offered on Monday to host talks between the two sides, officials in Doha said, "
        "after a week of clashes along the border that left dozens dead.",
        "Egypt endorsed the plan and urged restraint from all parties, the foreign ministry in "
        "Cairo said in a statement, adding that its envoy would travel to the region this week.",
        "The United Nations Secretary-General welcomed the offer and called for an immediate "
        "ceasefire, saying civilians were paying the highest price for the fighting.",
        "Neither side has yet responded publicly, but a senior official said the government was "
        "studying the proposal and would give its answer within days.",
    ],
    "two": [
        "Norway said on Tuesday it would send a mediator to the talks, its foreign minister "
        "telling reporters in Oslo that dialogue was the only way to end the crisis.",
        "The minister said Norway had been in contact with both delegations for several weeks "
        "and that a first meeting could take place before the end of the month.",
        "Diplomats said the offer was welcomed in private by several governments in the region, "
        "although none had yet committed to attending a meeting in person.",
    ],
    "three": [
        "Brazil rejected the proposal on Wednesday, saying it would not take part in any talks "
        "that excluded the countries most affected by the conflict.",
        "A spokesperson for the presidency said Brazil remained committed to a negotiated "
        "settlement but could not endorse a process it considered incomplete.",
        "Analysts said the refusal was likely to complicate the diplomatic effort, which had "
        "gained momentum after the Qatari offer earlier in the week.",
    ],
    "full": [
        "This page must never be fetched: its feed entry carries the full text already.",
    ],
}
NAV = ["Home", "World", "Business", "Sport", "Culture", "Subscribe"]
RELATED = ["Markets slide as oil prices jump", "Ten recipes for the summer", "Weather warning issued"]
FOOTER = "Copyright 2025 Example News Ltd. All rights reserved. Privacy policy. Cookie settings."


def article_page(name: str) -> str:
    paragraphs = "\n".join(f"<p>{text}</p>" for text in ARTICLE_PARAGRAPHS[name])
    nav = "".join(f'<li><a href="/{item.lower()}">{item}</a></li>' for item in NAV)
    related = "".join(f'<li><a href="/related/{i}">{item}</a></li>' for i, item in enumerate(RELATED))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Article {name} | Example News</title>
<meta property="article:published_time" content="2025-06-02T08:00:00Z"></head>
<body>
<header><nav class="menu"><ul>{nav}</ul></nav></header>
<main><article>
<h1>Article {name}</h1>
{paragraphs}
</article>
<aside class="related"><h2>Related stories</h2><ul>{related}</ul></aside>
</main>
<footer><p>{FOOTER}</p></footer>
</body></html>"""


FULL_CONTENT = "".join(
    f"<p>{text}</p>"
    for text in [
        "Ghana and Senegal signed a defence pact on Thursday, pledging to share intelligence and "
        "to hold joint exercises along their coasts every year.",
        "The two presidents said the agreement would help both countries respond to piracy in the "
        "Gulf of Guinea, which has disrupted shipping and fishing for a decade.",
        "Regional leaders welcomed the pact, and the African Union said it hoped other coastal "
        "states would join it before the end of the year.",
        "Nigeria's foreign minister said his government was studying the text and would decide "
        "within weeks whether to seek membership.",
    ]
)
ATOM_FULL_CONTENT = "".join(
    f"<p>{text}</p>"
    for text in [
        "Japan pledged on Friday to double its humanitarian aid to the region, the prime minister "
        "announcing the decision after a meeting with the heads of the main relief agencies.",
        "The new funds will go to food, shelter and medical care, the government said, and will "
        "be channelled through the United Nations and the Red Cross.",
        "Aid groups welcomed the pledge but warned that access to the worst-hit areas remained "
        "limited because of continued fighting and damaged roads.",
        "South Korea said it would announce a similar package next week after consulting its "
        "partners in the region.",
    ]
)


def rss_feed(base: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Example News</title><link>{base}/</link><description>Latest</description>
<item>
  <title>Ghana and Senegal sign a defence pact</title>
  <link>{base}/articles/full.html</link>
  <pubDate>Thu, 05 Jun 2025 10:30:00 GMT</pubDate>
  <description>Ghana and Senegal signed a pact.</description>
  <content:encoded><![CDATA[{FULL_CONTENT}]]></content:encoded>
</item>
<item>
  <title>Norway sends a mediator</title>
  <link>{base}/articles/two.html</link>
  <pubDate>Tue, 03 Jun 2025 09:00:00 GMT</pubDate>
  <description>Norway said it would send a mediator.</description>
</item>
<item>
  <title>A story that has gone</title>
  <link>/articles/missing.html</link>
  <description>Gone.</description>
</item>
</channel></rss>"""


def atom_feed(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Example Atom</title><id>urn:example:feed</id><updated>2025-06-06T12:00:00Z</updated>
<entry>
  <title>Japan doubles its aid</title>
  <id>urn:example:japan</id>
  <link rel="alternate" href="{base}/articles/full.html"/>
  <updated>2025-06-06T12:00:00Z</updated>
  <content type="html"><![CDATA[{ATOM_FULL_CONTENT}]]></content>
</entry>
<entry>
  <title>Brazil rejects the proposal</title>
  <id>urn:example:brazil</id>
  <link rel="alternate" href="{base}/articles/three.html"/>
  <updated>2025-06-04T07:15:00Z</updated>
  <summary>Brazil said no.</summary>
</entry>
</feed>"""


NO_LINK_FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Flash</title>
<description>Peru recalled its ambassador after the vote, the ministry said.</description></item>
<item><title>Nothing here</title></item>
</channel></rss>"""
MALFORMED_FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title'
JSONL = (
    b'{"text": "Kenya backed the ceasefire plan on Monday and offered to send observers.", '
    b'"title": "Kenya"}\n'
    b'{"text": "Chile condemned the attack on the convoy in the strongest terms.", '
    b'"url": "https://example.org/chile", "published": "2025-06-01"}\n'
    b"{not json\n"
)
CHUNK = b"x" * 65536
HUGE = 50 * 1024 * 1024


@dataclass
class Record:
    attempts: Counter = field(default_factory=Counter)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    user_agents: dict[str, str] = field(default_factory=dict)
    in_flight: Counter = field(default_factory=Counter)
    max_in_flight: Counter = field(default_factory=Counter)
    bytes_sent: dict[str, int] = field(default_factory=dict)
    finished: dict[str, threading.Event] = field(default_factory=lambda: defaultdict(threading.Event))
    lock: threading.Lock = field(default_factory=threading.Lock)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    record: Record
    base: str

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read the server's Record, not its access log."""

    def _send(self, status: int, body: bytes, content_type: str | None, headers: dict | None = None) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        record = self.record
        path = urlsplit(self.path).path
        with record.lock:
            record.attempts[path] += 1
            attempt = record.attempts[path]
            record.times[path].append(time.monotonic())
            record.user_agents[path] = self.headers.get("User-Agent", "")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self._route(path, attempt)  # the client may leave early (timeouts, size cap)

    def _route(self, path: str, attempt: int) -> None:
        parts = path.strip("/").split("/")
        head = parts[0]
        if head == "articles":
            name = parts[1].removesuffix(".html")
            if name not in ARTICLE_PARAGRAPHS:
                self._send(404, b"not found", "text/plain")
            else:
                self._send(200, article_page(name).encode(), "text/html; charset=utf-8")
        elif head == "feeds":
            feeds = {
                "rss.xml": (rss_feed(self.base).encode(), "application/rss+xml"),
                "atom.xml": (atom_feed(self.base).encode(), "application/atom+xml; charset=utf-8"),
                "sniffed.xml": (rss_feed(self.base).encode(), "text/xml"),
                "malformed.xml": (MALFORMED_FEED, "application/rss+xml"),
                "nolink.xml": (NO_LINK_FEED, "application/rss+xml"),
            }
            body, kind = feeds[parts[1]]
            self._send(200, body, kind)
        elif head == "slow":
            time.sleep(2.0)
            self._send(200, b"too late", "text/plain")
        elif head == "flaky":
            if attempt <= 2:
                self._send(500, b"try again", "text/plain")
            else:
                self._send(200, b"Recovered after two server errors, as promised.", "text/plain")
        elif head == "missing":
            self._send(404, b"no such page", "text/plain")
        elif head == "retry-after":
            seconds = parts[1]
            if attempt == 1 or seconds == "3600":
                self._send(429, b"slow down", "text/plain", {"Retry-After": seconds})
            else:
                self._send(200, b"Served once the client waited as it was asked.", "text/plain")
        elif head == "big":
            self._big(path, chunked=parts[1] == "chunked")
        elif head == "empty":
            self._send(200, b"", "text/html")
        elif head == "latin1":
            body = "Le ministre a déclaré que la France soutenait le cessez-le-feu.".encode("latin-1")
            self._send(
                200, body, "text/plain; charset=iso-8859-1" if parts[1] == "declared" else "text/plain"
            )
        elif head == "data":
            kind = "application/x-ndjson" if parts[1] == "typed.jsonl" else "text/plain"
            self._send(200, JSONL, kind)
        elif head == "pdf":
            self._send(200, b"%PDF-1.4 not really", "application/pdf")
        elif head == "redirect":
            self._send(302, b"", "text/plain", {"Location": "/articles/one.html"})
        elif head == "concurrent":
            self._concurrent(parts[1])
        elif head == "delay":
            time.sleep(int(parts[1]) / 1000)
            self._send(200, f"Answer from {path} after a delay.".encode(), "text/plain")
        else:
            self._send(404, b"unknown", "text/plain")

    def _concurrent(self, group: str) -> None:
        record = self.record
        with record.lock:
            record.in_flight[group] += 1
            record.max_in_flight[group] = max(record.max_in_flight[group], record.in_flight[group])
        try:
            time.sleep(0.25)
            self._send(200, b"One of many requests served at the same time.", "text/plain")
        finally:
            with record.lock:
                record.in_flight[group] -= 1

    def _big(self, path: str, chunked: bool) -> None:
        sent = 0
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(HUGE))
            self.end_headers()
            while sent < HUGE:
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                else:
                    self.wfile.write(CHUNK)
                sent += len(CHUNK)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        finally:
            self.record.bytes_sent[path] = sent
            self.record.finished[path].set()
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client closing a kept-alive connection (timeouts, size cap) is expected
        super().handle_error(request, client_address)


class LocalServer:
    def __init__(self) -> None:
        self.record = Record()
        handler = type("BoundHandler", (Handler,), {"record": self.record})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        handler.base = self.base
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="local-http", daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> "LocalServer":
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
