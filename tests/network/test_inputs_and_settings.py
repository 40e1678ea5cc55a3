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
