"""Telling URLs from local inputs, and the fetch settings (no server needed)."""

import pytest
from pydantic import ValidationError

from pipeline import __version__
from pipeline.ingest import FetchConfig, IngestConfig, is_url, split_inputs


def test_split_inputs_keeps_order_in_each_list():
    inputs = [
        "corpora/samples",
        "https://example.org/feed.xml",
        "notes.txt",
        "feeds/*.jsonl",
        "HTTP://Example.org/a.html",
        "http://127.0.0.1:8000/x?y=1",
    ]
    assert split_inputs(inputs) == (
        ["corpora/samples", "notes.txt", "feeds/*.jsonl"],
        ["https://example.org/feed.xml", "HTTP://Example.org/a.html", "http://127.0.0.1:8000/x?y=1"],
    )
    assert split_inputs([]) == ([], [])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org/", True),
        ("http://localhost:8080/feed", True),
        ("ftp://example.org/file", False),
        ("http://", False),
        ("http:relative", False),
        ("example.org/page.html", False),
        ("C:\\data\\a.txt", False),
        ("file:///tmp/a.txt", False),
        ("http://[::1", False),
    ],
)
def test_is_url(value, expected):
    assert is_url(value) is expected


def test_fetch_config_defaults_and_descriptions():
    config = IngestConfig().fetch
    assert (config.timeout_s, config.retries, config.backoff_s) == (20.0, 3, 0.5)
    assert config.max_response_bytes == 10 * 1024 * 1024
    assert (config.max_concurrency_per_host, config.max_concurrency, config.max_feed_items) == (4, 16, 200)
    assert config.follow_redirects is True
    assert f"stance-pipeline/{__version__}" in config.user_agent
    assert all(field.description for field in FetchConfig.model_fields.values())
    with pytest.raises(ValidationError):
        FetchConfig(timeout=3)  # extra fields are refused
    with pytest.raises(ValidationError):
        config.retries = 5  # frozen


def test_fetch_settings_come_from_nested_environment_variables(monkeypatch):
    from pipeline.settings import Settings

    monkeypatch.setenv("STANCE_INGEST__FETCH__TIMEOUT_S", "7.5")
    monkeypatch.setenv("STANCE_INGEST__FETCH__MAX_CONCURRENCY_PER_HOST", "2")
    fetch = Settings().ingest.fetch
    assert (fetch.timeout_s, fetch.max_concurrency_per_host) == (7.5, 2)


def _response(body: bytes, content_type: str = "", charset: str | None = None, url: str = "https://e.org/a"):
    from pipeline.ingest.http import Response

    return Response(url=url, content_type=content_type, charset=charset, body=body)


@pytest.mark.parametrize(
    ("content_type", "url", "body", "kind"),
    [
        ("application/rss+xml", "https://e.org/f", b"<rss/>", "feed"),
        ("application/atom+xml", "https://e.org/f", b"<feed/>", "feed"),
        ("text/xml", "https://e.org/f", b'<?xml version="1.0"?>\n<rss version="2.0"/>', "feed"),
        ("application/octet-stream", "https://e.org/f", b"<feed xmlns='x'/>", "feed"),
        ("text/html", "https://e.org/a", b"<html><body>x</body></html>", "html"),
        ("", "https://e.org/a", b"<!DOCTYPE html><html></html>", "html"),
        ("application/x-ndjson", "https://e.org/a", b'{"text": "x"}', "jsonl"),
        ("text/plain", "https://e.org/a.jsonl", b'{"text": "x"}', "jsonl"),
        ("text/plain", "https://e.org/a.txt", b"Some text.", "text"),
    ],
)
def test_route_by_content_type_and_sniffing(content_type, url, body, kind):
    from pipeline.ingest.fetch import route

    assert route(_response(body, content_type, url=url), url) == kind


@pytest.mark.parametrize(
    ("content_type", "body", "error"),
    [
        ("text/xml", b"<?xml version='1.0'?><svg/>", "unsupported-type"),
        ("application/json", b'{"a": 1}', "unsupported-type"),
        ("image/png", b"\x89PNG", "unsupported-type"),
        ("text/html", b"  \n ", "empty"),
    ],
)
def test_route_refuses_what_it_cannot_read(content_type, body, error):
    from pipeline.ingest import InputError
    from pipeline.ingest.fetch import route

    with pytest.raises(InputError) as raised:
        route(_response(body, content_type), "https://e.org/a")
    assert raised.value.kind == error


def test_decoding_uses_the_header_then_the_meta_charset_then_utf8():
    from pipeline.ingest import InputError
    from pipeline.ingest.fetch import decode_body

    latin = "Déclaration".encode("latin-1")
    assert decode_body(_response(latin, "text/plain", "iso-8859-1"), "s") == "Déclaration"
    page = b'<html><head><meta charset="windows-1252"></head><body>' + latin + b"</body></html>"
    assert "Déclaration" in decode_body(_response(page, "text/html"), "s", html=True)
    assert decode_body(_response("\ufeffDéclaration".encode(), "text/plain"), "s") == "Déclaration"
    for body, charset, kind in [
        (latin, None, "not-utf8"),
        (latin, "utf-8", "not-utf8"),
        (b"abc", "no-such-charset", "bad-encoding"),
        (b"\xff\xfe\xfa", "ascii", "bad-encoding"),
        (b"a\x00b", None, "binary"),
    ]:
        with pytest.raises(InputError) as raised:
            decode_body(_response(body, "text/plain", charset), "s")
        assert raised.value.kind == kind, (body, charset)


def test_retry_after_header_forms():
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from pipeline.ingest.http import _retry_after

    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None
    assert _retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= _retry_after(later) <= 30
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_every_fetch_setting_is_documented():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "sources.md").read_text()
    for name in FetchConfig.model_fields:
        assert f"`STANCE_INGEST__FETCH__{name.upper()}`" in docs, name
