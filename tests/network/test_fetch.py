"""Fetching URLs and feeds from a local HTTP server: content routing, errors, retries, limits."""

import time

import pytest

from pipeline import __version__
from pipeline.ingest import (
    FetchConfig,
    IngestConfig,
    InputError,
    RawDocument,
    clean_document,
    fetch_documents,
)
from tests.network.server import ARTICLE_PARAGRAPHS, FOOTER, HUGE, NAV, RELATED

pytestmark = pytest.mark.network

# tiny timeouts and backoffs keep the whole folder fast; the test server is on 127.0.0.1
FAST = FetchConfig(
    timeout_s=2.0, retries=2, backoff_s=0.01, max_retry_after_s=5.0, allow_private_addresses=True
)


def fetch_one(url: str, config: FetchConfig = FAST) -> RawDocument | InputError:
    results = fetch_documents([url], config)
    assert len(results) == 1, results
    return results[0]


def assert_error(item, kind: str) -> InputError:
    assert isinstance(item, InputError), item
    assert item.kind == kind, (item.kind, item.message)
    return item


def test_html_page_main_text_without_boilerplate_and_honest_user_agent(server):
    url = server.url("/articles/one.html")
    doc = fetch_one(url)
    assert isinstance(doc, RawDocument)
    assert (doc.source, doc.format) == (url, "html")
    assert doc.title == "Article one"
    assert doc.published == "2025-06-02"
    for paragraph in ARTICLE_PARAGRAPHS["one"]:
        assert paragraph in doc.text
    for furniture in [*NAV, *RELATED, FOOTER, "Related stories"]:
        assert furniture not in doc.text
    article = clean_document(doc, IngestConfig())
    assert ARTICLE_PARAGRAPHS["one"][0] in [article.text[b.start : b.end] for b in article.body_blocks]
    user_agent = server.record.user_agents["/articles/one.html"]
    assert user_agent == FetchConfig().user_agent
    assert user_agent.startswith(f"stance-pipeline/{__version__} (+https://")


def test_redirect_gives_the_final_url_as_source(server):
    doc = fetch_one(server.url("/redirect/one"))
    assert isinstance(doc, RawDocument)
    assert doc.source == server.url("/articles/one.html")


def test_rss_feed_uses_full_content_fetches_teasers_and_reports_a_failed_entry(server):
    feed = server.url("/feeds/rss.xml")
    before = server.record.attempts["/articles/full.html"]
    results = fetch_documents([feed], FAST)
    assert len(results) == 3
    full, fetched, gone = results
    # entry 1 carries its full text: used as is, its page never fetched
    assert isinstance(full, RawDocument)
    assert (full.source, full.format) == (server.url("/articles/full.html"), "feed-entry")
    assert full.title == "Ghana and Senegal sign a defence pact"
    assert full.published == "2025-06-05T10:30:00Z"
    assert full.text.startswith("Ghana and Senegal signed a defence pact on Thursday")
    assert "\n\n" in full.text  # paragraphs kept apart for cleaning
    assert server.record.attempts["/articles/full.html"] == before
    # entry 2 has only a teaser: its page is fetched, the feed's title and date kept
    assert isinstance(fetched, RawDocument)
    assert (fetched.source, fetched.format) == (server.url("/articles/two.html"), "html")
    assert fetched.title == "Norway sends a mediator"
    assert fetched.published == "2025-06-03T09:00:00Z"
    assert ARTICLE_PARAGRAPHS["two"][0] in fetched.text
    assert "Copyright" not in fetched.text
    # entry 3 links (relatively) to a page that is gone: its own error, named by its link
    error = assert_error(gone, "http-error")
    assert error.source == server.url("/articles/missing.html")
    assert "404" in error.message
    for item in (full, fetched):
        assert clean_document(item, IngestConfig()).text


def test_atom_feed_entries_in_feed_order(server):
    results = fetch_documents([server.url("/feeds/atom.xml")], FAST)
    assert [type(item) for item in results] == [RawDocument, RawDocument]
    japan, brazil = results
    assert (japan.format, japan.title, japan.published) == (
        "feed-entry",
        "Japan doubles its aid",
        "2025-06-06T12:00:00Z",
    )
    assert japan.text.startswith("Japan pledged on Friday")
    assert (brazil.source, brazil.title) == (
        server.url("/articles/three.html"),
        "Brazil rejects the proposal",
    )
    assert ARTICLE_PARAGRAPHS["three"][1] in brazil.text


def test_feed_served_as_generic_xml_is_sniffed(server):
    results = fetch_documents([server.url("/feeds/sniffed.xml")], FAST)
    assert [getattr(item, "format", None) for item in results] == ["feed-entry", "html", None]


def test_max_feed_items_caps_entries(server):
    results = fetch_documents([server.url("/feeds/atom.xml")], FAST.model_copy(update={"max_feed_items": 1}))
    assert [item.title for item in results] == ["Japan doubles its aid"]


def test_entries_without_a_link_use_their_own_text_or_fail_alone(server):
    feed = server.url("/feeds/nolink.xml")
    flash, nothing = fetch_documents([feed], FAST)
    assert isinstance(flash, RawDocument)
    assert (flash.source, flash.format, flash.title) == (f"{feed}#entry-1", "feed-entry", "Flash")
    assert flash.text == "Peru recalled its ambassador after the vote, the ministry said."
    error = assert_error(nothing, "no-content")
    assert error.source == f"{feed}#entry-2"


def test_malformed_feed(server):
    error = assert_error(fetch_one(server.url("/feeds/malformed.xml")), "malformed-feed")
    assert "well-formed" in error.message


def test_slow_endpoint_times_out_after_every_attempt(server):
    path = "/slow/a"
    config = FAST.model_copy(update={"timeout_s": 0.2, "retries": 2})
    started = time.monotonic()
    error = assert_error(fetch_one(server.url(path), config), "timeout")
    assert time.monotonic() - started < 1.8  # never waited for the 2 s answer
    assert "0.2 s" in error.message
    assert "after 3 attempts" in error.message
    assert server.record.attempts[path] == 3


def test_flaky_endpoint_succeeds_on_the_third_attempt(server):
    path = "/flaky/a"
    doc = fetch_one(server.url(path))
    assert isinstance(doc, RawDocument)
    assert doc.text.startswith("Recovered after two server errors")
    assert server.record.attempts[path] == 3


def test_server_errors_give_up_after_retries(server):
    path = "/flaky/b"
    error = assert_error(fetch_one(server.url(path), FAST.model_copy(update={"retries": 1})), "http-error")
    assert error.message == "HTTP 500 Internal Server Error (gave up after 2 attempts)"
    assert server.record.attempts[path] == 2


def test_not_found_is_not_retried(server):
    path = "/missing/a"
    error = assert_error(fetch_one(server.url(path)), "http-error")
    assert error.message == "HTTP 404 Not Found"
    assert server.record.attempts[path] == 1


def test_429_waits_as_long_as_retry_after_asks(server):
    path = "/retry-after/1"
    doc = fetch_one(server.url(path))
    assert isinstance(doc, RawDocument)
    first, second = server.record.times[path]
    assert second - first >= 0.95  # backoff_s is 0.01: only Retry-After explains the wait


def test_retry_after_over_the_limit_gives_up_at_once(server):
    path = "/retry-after/3600"
    error = assert_error(fetch_one(server.url(path)), "http-error")
    assert "HTTP 429 Too Many Requests" in error.message
    assert "3600 s" in error.message
    assert "MAX_RETRY_AFTER_S" in error.message
    assert server.record.attempts[path] == 1


@pytest.mark.parametrize("kind", ["length", "chunked"])
def test_oversized_response_is_refused_without_reading_it_all(server, kind):
    path = f"/big/{kind}"
    config = FAST.model_copy(update={"max_response_bytes": 100_000})
    error = assert_error(fetch_one(server.url(path), config), "too-large")
    assert error.source == server.url(path)
    if kind == "length":
        assert f"declares {HUGE:,} bytes" in error.message
    else:
        assert "stopped reading" in error.message
    assert server.record.finished[path].wait(5), "the server never noticed the client leaving"
    assert server.record.bytes_sent[path] < HUGE // 4
    assert server.record.attempts[path] == 1  # too large is final, never retried


def test_empty_body(server):
    error = assert_error(fetch_one(server.url("/empty/a")), "empty")
    assert error.message == "the response body is empty"


def test_non_utf8_body_without_charset_is_refused(server):
    error = assert_error(fetch_one(server.url("/latin1/plain")), "not-utf8")
    assert "declares no character set" in error.message
    assert "0xe9" in error.message


def test_declared_charset_is_used(server):
    doc = fetch_one(server.url("/latin1/declared"))
    assert isinstance(doc, RawDocument)
    assert "déclaré" in doc.text


@pytest.mark.parametrize("name", ["typed.jsonl", "plain.jsonl"])
def test_jsonl_over_http(server, name):
    url = server.url(f"/data/{name}")
    first, second, bad = fetch_documents([url], FAST)
    assert isinstance(first, RawDocument)
    assert (first.source, first.title) == (f"{url}:1", "Kenya")
    assert isinstance(second, RawDocument)
    assert (second.source, second.published) == ("https://example.org/chile", "2025-06-01")
    error = assert_error(bad, "malformed-json")
    assert error.source == f"{url}:3"


def test_unsupported_content_type(server):
    error = assert_error(fetch_one(server.url("/pdf/a")), "unsupported-type")
    assert "application/pdf" in error.message


def test_connection_refused_is_retried_then_reported():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = assert_error(fetch_one(f"http://127.0.0.1:{port}/x"), "connection-error")
    assert "gave up after 3 attempts" in error.message


def test_non_public_addresses_are_refused_by_default_before_any_request(server):
    path = "/articles/one.html"
    before = server.record.attempts[path]
    config = FAST.model_copy(update={"allow_private_addresses": False})
    for url in (server.url(path), server.url(path).replace("127.0.0.1", "localhost")):
        error = assert_error(fetch_one(url, config), "blocked-address")
        assert error.source == url
        assert "non-public address" in error.message and "ALLOW_PRIVATE_ADDRESSES" in error.message
    assert server.record.attempts[path] == before


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5/x", "http://169.254.169.254/latest/meta-data/", "http://[::ffff:192.168.1.1]/"]
)
def test_a_redirect_hop_to_an_internal_address_is_refused_and_named(url):
    from pipeline.ingest.http import _refuse_non_public

    with pytest.raises(InputError) as raised:
        _refuse_non_public(url, "https://news.example/feed.xml")
    assert raised.value.kind == "blocked-address"
    assert raised.value.source == "https://news.example/feed.xml"
    assert f"redirected to {url}" in raised.value.message


def test_a_public_address_passes_the_check():
    from pipeline.ingest.http import _refuse_non_public

    _refuse_non_public("http://93.184.215.14/", "http://93.184.215.14/")  # a literal: no DNS query


def test_results_follow_input_order_and_duplicates_are_fetched_once(server):
    urls = [
        server.url("/delay/400/a"),
        server.url("/delay/10/b"),
        server.url("/feeds/atom.xml"),
        server.url("/delay/10/b"),
        server.url("/missing/order"),
        server.url("/delay/200/c"),
    ]
    results = fetch_documents(urls, FAST)
    assert [item.source for item in results] == [
        server.url("/delay/400/a"),
        server.url("/delay/10/b"),
        server.url("/articles/full.html"),
        server.url("/articles/three.html"),
        server.url("/missing/order"),
        server.url("/delay/200/c"),
    ]
    assert server.record.attempts["/delay/10/b"] == 1


def test_per_host_limit_is_respected_and_used(server):
    urls = [server.url(f"/concurrent/per-host/{i}") for i in range(9)]
    config = FAST.model_copy(update={"max_concurrency_per_host": 3, "max_concurrency": 16})
    results = fetch_documents(urls, config)
    assert all(isinstance(item, RawDocument) for item in results)
    assert 2 <= server.record.max_in_flight["per-host"] <= 3


def test_global_limit_is_respected(server):
    urls = [server.url(f"/concurrent/global/{i}") for i in range(6)]
    config = FAST.model_copy(update={"max_concurrency_per_host": 8, "max_concurrency": 2})
    results = fetch_documents(urls, config)
    assert all(isinstance(item, RawDocument) for item in results)
    assert server.record.max_in_flight["global"] == 2


def test_one_at_a_time_when_the_host_limit_is_one(server):
    urls = [server.url(f"/concurrent/serial/{i}") for i in range(3)]
    fetch_documents(urls, FAST.model_copy(update={"max_concurrency_per_host": 1}))
    assert server.record.max_in_flight["serial"] == 1


def test_not_a_url_is_an_error():
    assert_error(fetch_one("ftp://example.org/file.txt"), "bad-url")
    assert fetch_documents([], FAST) == []
