"""Publication dates as users' inputs write them, normalised to ISO 8601 (schema 1.1)."""

import pytest

from pipeline.ingest.dates import normalise_published


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-03-14", "2026-03-14"),  # ISO date (HTML meta, JSONL)
        ("2026-01-27T14:05:00Z", "2026-01-27T14:05:00Z"),  # ISO UTC
        ("2026-03-05T09:00:00+02:00", "2026-03-05T07:00:00Z"),  # ISO with an offset
        ("2026-03-05T14:05:00.123456+00:00", "2026-03-05T14:05:00Z"),  # microseconds dropped
        ("2026-03-05 10:00", "2026-03-05T10:00:00Z"),  # naive time is taken as UTC
        ("20260305", "2026-03-05"),  # ISO basic
        ("Thu, 05 Mar 2026 14:05:00 +0100", "2026-03-05T13:05:00Z"),  # RSS (RFC 2822)
        ("Mon, 5 Mar 2026 14:05:00 GMT", "2026-03-05T14:05:00Z"),
        ("5 March 2026", "2026-03-05"),  # prose
        ("  5   March   2026 ", "2026-03-05"),
        ("March 5, 2026", "2026-03-05"),  # US prose
        ("5th March 2026", "2026-03-05"),
        ("05/03/2026", "2026-03-05"),  # day first, as most of the world writes it
        ("05.03.2026", "2026-03-05"),
        ("2026/03/05", "2026-03-05"),
        ("Mar 5 2026 3:30 PM", "2026-03-05T15:30:00Z"),
        ("5 March 2026, 3pm", "2026-03-05T15:00:00Z"),
        ("Thursday 5 March 2026 10.00 GMT", "2026-03-05T10:00:00Z"),  # the Guardian's byline style
        ("Thursday 5 March 2026 10:00 GMT", "2026-03-05T10:00:00Z"),
        ("5 mars 2026", "2026-03-05"),  # French
        ("5. März 2026", "2026-03-05"),  # German
        ("2026-02-30", None),  # no such day
        ("March 2026", None),  # no day: not a publication date
        ("2026", None),
        ("not a date", None),
        ("2 days ago", None),  # relative to the clock: a rerun would write another date
        ("today 10:00", None),
        ("0001-01-01T00:30:00+01:00", None),  # before year 1 in UTC: unreadable, not a crash
        ("", None),
        (None, None),
    ],
)
def test_common_spellings_become_iso_8601(written, expected):
    assert normalise_published(written) == expected


def test_the_machine_time_zone_changes_nothing(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14
    time.tzset()
    try:
        assert normalise_published("5 March 2026") == "2026-03-05"
        assert normalise_published("5 March 2026 14:05") == "2026-03-05T14:05:00Z"
        assert normalise_published("2026-03-05 14:05") == "2026-03-05T14:05:00Z"
    finally:
        monkeypatch.undo()
        time.tzset()
