"""Publication dates to ISO 8601: a date ("2026-03-05") or a UTC date-time ("2026-03-05T14:05:00Z").

Articles arrive with dates in every form: feed dates (RFC 2822), HTML meta (ISO 8601 with an
offset), JSONL fields and prose ("5 March 2026"). Downstream tools need one form they can
parse without guessing, so a value that carries a time becomes a UTC date-time and one that
does not stays a date; a value no parser understands becomes null (and the caller warns).
"""

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_BASIC_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
RFC2822_RE = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+\S+$"
)
TIME_RE = re.compile(
    r"\d{1,2}:\d{2}|\d{1,2}(?:\.\d{2})?\s*[ap]\.?m\b|T\d{2}|\d{1,2}\.\d{2}\s*(?:GMT|BST|UTC|CET|EST|EDT)\b",
    re.IGNORECASE,
)
# a published value must name a day: "March 2026" or "2026" alone is not a date
DAY_RE = re.compile(r"\d")
DATEPARSER_SETTINGS = {
    "TIMEZONE": "UTC",  # a value without a zone is UTC, whatever the machine's zone is
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],  # no "2 days ago": not reproducible
    "PREFER_DAY_OF_MONTH": "first",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": False,
    "TO_TIMEZONE": "UTC",
    "DATE_ORDER": "DMY",  # "05/03/2026" is read as 5 March, as most of the world writes it
}


def _iso_datetime(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def _parse_iso(value: str) -> str | None:
    basic = ISO_BASIC_DATE_RE.match(value)
    try:
        if basic:
            return date(*(int(part) for part in basic.groups())).isoformat()
        if ISO_DATE_RE.match(value):
            return date.fromisoformat(value).isoformat()
    except ValueError:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return _iso_datetime(moment)


def _parse_rfc2822(value: str) -> str | None:
    if not RFC2822_RE.match(value):
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return _iso_datetime(moment) if moment is not None else None


def _parse_prose(value: str) -> str | None:
    import dateparser  # loads its language data on first use: only when a date needs it

    moment = dateparser.parse(value, settings=DATEPARSER_SETTINGS)
    if moment is None:
        return None
    return _iso_datetime(moment) if TIME_RE.search(value) else moment.date().isoformat()


def normalise_published(value: str | None) -> str | None:
    """ISO 8601 for any common spelling of a publication date; None when there is none or it
    cannot be read."""
    if value is None:
        return None
    text = " ".join(value.split())
    if not text or not DAY_RE.search(text):
        return None
    for parse in (_parse_iso, _parse_rfc2822, _parse_prose):
        try:
            result = parse(text)
        except (ValueError, OverflowError, TypeError):  # "year 0001 at +01:00" and the like
            result = None
        if result is not None:
            return result
    return None
