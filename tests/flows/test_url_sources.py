"""Pages and feeds from a local HTTP server through the real extraction flow."""

import json

import pytest

pytestmark = [pytest.mark.flow, pytest.mark.network, pytest.mark.slow, pytest.mark.usefixtures("no_proxies")]


def test_pages_and_feeds_are_extracted_and_a_rerun_uses_the_fetch_cache(server, tmp_path, monkeypatch):
    from flows.extract import extract_flow

    monkeypatch.setenv("STANCE_INGEST__FETCH__ALLOW_PRIVATE_ADDRESSES", "true")  # the server is local

    inputs = [server.url("/articles/one.html"), server.url("/feeds/rss.xml"), server.url("/missing/page")]
    out = tmp_path / "out"
    first = extract_flow(inputs, str(out)).manifest
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    sources = {a["source"] for a in articles}
    assert server.url("/articles/one.html") in sources
    assert len(sources) >= 3 and all(s.startswith(server.base) for s in sources)
    assert all("Copyright 2025 Example News" not in a["text"] for a in articles)  # footer dropped
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [(e["source"], e["error"]) for e in errors if e["source"].endswith("/missing/page")] == [
        (server.url("/missing/page"), "http-error")
    ]
    assert first["counts"]["articles_processed"] == len(articles)
    assert (out / "statements.jsonl").stat().st_size > 0

    feed_requests = server.record.attempts["/feeds/rss.xml"]
    statements = (out / "statements.jsonl").read_bytes()
    second = extract_flow(inputs, str(out)).manifest
    assert server.record.attempts["/feeds/rss.xml"] == feed_requests  # served from the task cache
    assert second["counts"]["articles_processed"] == 0
    assert second["counts"]["articles_unchanged"] == len(articles)
    assert (out / "statements.jsonl").read_bytes() == statements
