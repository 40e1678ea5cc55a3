"""What the statements list shows, computed without HTML: filters, sorting, pages.

Templates only lay these out; Jinja escapes every text they print. Evidence highlighting is in
``review.highlight``, the holder summary and its dates in ``review.summary``.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pipeline import STANCE_LABELS
from review.corrections import STATUSES, Reviewed
from review.summary import in_range, parse_range, target_name, voice

ID_RE = re.compile(r"^[0-9a-f]{16}$")
SORTS = {
    "confidence": "lowest confidence first",
    "-confidence": "highest confidence first",
    "article": "article order",
    "holder": "holder",
}
MAX_QUERY = 200


@dataclass(frozen=True)
class Filters:
    holder: str = ""
    target: str = ""
    stance: str = ""
    status: str = ""
    article: str = ""
    q: str = ""
    min_conf: float | None = None
    max_conf: float | None = None
    speaks_for: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "confidence"
    problems: tuple[str, ...] = ()

    def query(self) -> dict[str, str]:
        """The filters as query parameters (empty ones left out), for links that keep them."""
        values = {
            "holder": self.holder,
            "target": self.target,
            "stance": self.stance,
            "status": self.status,
            "article": self.article,
            "q": self.q,
            "min_conf": "" if self.min_conf is None else f"{self.min_conf:g}",
            "max_conf": "" if self.max_conf is None else f"{self.max_conf:g}",
            "speaks_for": self.speaks_for,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "sort": "" if self.sort == "confidence" else self.sort,
        }
        return {k: v for k, v in values.items() if v}


def _confidence(raw: str, name: str, problems: list[str]) -> float | None:
    if not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{name} '{raw[:20]}' is not a number; ignored")
        return None
    if not 0.0 <= value <= 1.0:
        problems.append(f"{name} must be between 0 and 1; ignored")
        return None
    return value


def parse_filters(params: Mapping[str, str]) -> Filters:
    """Query parameters to Filters; bad values are dropped with a note, never an error page."""
    problems: list[str] = []
    stance = params.get("stance", "")
    status = params.get("status", "")
    article = params.get("article", "")
    sort = params.get("sort", "") or "confidence"
    if stance and stance not in STANCE_LABELS:
        problems.append("unknown stance; ignored")
        stance = ""
    if status and status not in STATUSES:
        problems.append("unknown review status; ignored")
        status = ""
    if article and not ID_RE.match(article):
        problems.append("not an article id; ignored")
        article = ""
    if sort not in SORTS:
        problems.append("unknown sort order; ignored")
        sort = "confidence"
    date_from, date_to = parse_range(params, problems)
    return Filters(
        holder=params.get("holder", "")[:MAX_QUERY],
        target=params.get("target", "")[:MAX_QUERY],
        stance=stance,
        status=status,
        article=article,
        q=params.get("q", "").strip()[:MAX_QUERY],
        min_conf=_confidence(params.get("min_conf", ""), "minimum confidence", problems),
        max_conf=_confidence(params.get("max_conf", ""), "maximum confidence", problems),
        speaks_for=params.get("speaks_for", "")[:MAX_QUERY],
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        problems=tuple(problems),
    )


def _matches(item: Reviewed, f: Filters, day: Callable[[Reviewed], date | None]) -> bool:
    record = item.record
    if f.holder and item.holder.name != f.holder:
        return False
    if f.speaks_for and voice(item) != f.speaks_for:
        return False
    if (f.date_from or f.date_to) and not in_range(day(item), f.date_from, f.date_to):
        return False
    if f.target and target_name(item) != f.target:
        return False
    if f.stance and item.stance != f.stance:
        return False
    if f.status and item.status != f.status:
        return False
    if f.article and record.article_id != f.article:
        return False
    if f.min_conf is not None and record.confidence < f.min_conf:
        return False
    if f.max_conf is not None and record.confidence > f.max_conf:
        return False
    if f.q:
        haystack = [record.text, record.cue, item.holder.name, item.holder.mention]
        if item.target:
            haystack += [item.target.name, item.target.mention]
        needle = f.q.casefold()
        return any(needle in text.casefold() for text in haystack)
    return True


def apply_filters(
    reviewed: Sequence[Reviewed], f: Filters, day: Callable[[Reviewed], date | None] = lambda _: None
) -> list[Reviewed]:
    """The matching statements in the chosen order (ties keep the run's order).

    ``day`` gives a statement's date, for the date range (undated statements are outside any range).
    """
    chosen = [item for item in reviewed if _matches(item, f, day)]
    if f.sort == "confidence":
        chosen.sort(key=lambda item: item.record.confidence)
    elif f.sort == "-confidence":
        chosen.sort(key=lambda item: -item.record.confidence)
    elif f.sort == "holder":
        chosen.sort(key=lambda item: (item.holder.name.casefold(), item.record.confidence))
    return chosen


@dataclass(frozen=True)
class Page:
    items: list[Reviewed]
    number: int
    count: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


PAGE_RE = re.compile(r"[0-9]{1,9}")


def paginate(items: list[Reviewed], raw_page: str, size: int) -> Page:
    count = max(1, -(-len(items) // size))
    # ASCII digits only: str.isdigit() also accepts "²" and "①", which int() refuses
    number = int(raw_page) if PAGE_RE.fullmatch(raw_page) else 1
    number = min(max(number, 1), count)
    return Page(items[(number - 1) * size : number * size], number, count, len(items))
