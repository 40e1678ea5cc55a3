"""What the pages show, computed without HTML: filters, sorting, evidence segments, summaries.

Templates only lay these out; Jinja escapes every text they print.
"""

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline import STANCE_LABELS
from pipeline.output.records import ArticleRecord
from review.corrections import STATUSES, Reviewed

ID_RE = re.compile(r"^[0-9a-f]{16}$")
NO_TARGET = "(no target)"
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


def parse_filters(params: dict[str, str]) -> Filters:
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
    return Filters(
        holder=params.get("holder", "")[:MAX_QUERY],
        target=params.get("target", "")[:MAX_QUERY],
        stance=stance,
        status=status,
        article=article,
        q=params.get("q", "").strip()[:MAX_QUERY],
        min_conf=_confidence(params.get("min_conf", ""), "minimum confidence", problems),
        max_conf=_confidence(params.get("max_conf", ""), "maximum confidence", problems),
        sort=sort,
        problems=tuple(problems),
    )


def target_name(item: Reviewed) -> str:
    return item.target.name if item.target else NO_TARGET


def _matches(item: Reviewed, f: Filters) -> bool:
    record = item.record
    if f.holder and item.holder.name != f.holder:
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


def apply_filters(reviewed: Sequence[Reviewed], f: Filters) -> list[Reviewed]:
    """The matching statements in the chosen order (ties keep the run's order)."""
    chosen = [item for item in reviewed if _matches(item, f)]
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


@dataclass(frozen=True)
class Segment:
    """A stretch of article text, the statements whose evidence covers it, and its furniture kind."""

    text: str
    statement_ids: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()  # statements whose evidence begins here (anchors)
    furniture: str | None = None
    status: str = ""


def segments(article: ArticleRecord, reviewed: Sequence[Reviewed]) -> list[Segment]:
    """The article text cut at every evidence and furniture boundary, in order."""
    text = article.text
    bounds = {0, len(text)}
    for item in reviewed:
        bounds.update((item.record.char_start, item.record.char_end))
    for span in article.furniture:
        bounds.update((span.char_start, span.char_end))
    cuts = sorted(b for b in bounds if 0 <= b <= len(text))
    pieces = []
    for start, end in itertools.pairwise(cuts):
        covering = [i for i in reviewed if i.record.char_start <= start and end <= i.record.char_end]
        furniture = next(
            (s.kind for s in article.furniture if s.char_start <= start and end <= s.char_end), None
        )
        live = [i for i in covering if i.status != "rejected"]
        status = (live[0].status if live else "rejected") if covering else ""
        pieces.append(
            Segment(
                text=text[start:end],
                statement_ids=tuple(i.statement_id for i in covering),
                starts=tuple(i.statement_id for i in covering if i.record.char_start == start),
                furniture=furniture,
                status=status,
            )
        )
    return pieces


def evidence_parts(item: Reviewed) -> tuple[str, str, str]:
    """The evidence split around the (first occurrence of the) holder's words, for emphasis."""
    text, words = item.record.text, item.correction.holder_mention
    start = text.find(words)
    if start < 0:
        return text, "", ""
    return text[:start], words, text[start + len(words) :]


@dataclass
class StanceCounts:
    name: str
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def bars(self, width: int, scale: int) -> list[tuple[str, int, float, float]]:
        """(label, count, x, width) of each stance's rectangle in a stacked bar ``width`` wide."""
        result, x = [], 0.0
        for label in STANCE_LABELS:
            n = self.counts.get(label, 0)
            if n:
                w = width * n / scale
                result.append((label, n, round(x, 2), round(w, 2)))
                x += w
        return result


def holder_summary(reviewed: Sequence[Reviewed]) -> list[StanceCounts]:
    """Stance counts per holder (statements marked "not a statement" left out), most statements first."""
    by_holder: dict[str, StanceCounts] = {}
    for item in reviewed:
        if item.status == "rejected":
            continue
        by_holder.setdefault(item.holder.name, StanceCounts(item.holder.name)).counts[item.stance] += 1
    return sorted(by_holder.values(), key=lambda s: (-s.total, s.name.casefold()))


def target_summary(reviewed: Sequence[Reviewed], holder: str) -> list[StanceCounts]:
    """One holder's stance counts by target."""
    by_target: dict[str, StanceCounts] = {}
    for item in reviewed:
        if item.status == "rejected" or item.holder.name != holder:
            continue
        name = target_name(item)
        by_target.setdefault(name, StanceCounts(name)).counts[item.stance] += 1
    return sorted(by_target.values(), key=lambda s: (-s.total, s.name.casefold()))
