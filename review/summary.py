"""The holder summary: stance counts per holder (persons rolled up to the actor they speak for),
by target, within a date range, and per ISO week for the timeline. No HTML here.
"""

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from pipeline import STANCE_LABELS
from pipeline.output.records import StatementRecord
from review.corrections import Reviewed

NO_TARGET = "(no target)"
GROUPS = {
    "affiliation": "persons under the state or body they speak for",
    "holder": "every holder on its own",
}
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only
MAX_WEEKS = 156
MAX_STEP = 48.0  # the widest a week's column is drawn, in SVG units
TICK_ROOM = 64  # the room a week's label takes on the axis


def target_name(item: Reviewed) -> str:
    return item.target.name if item.target else NO_TARGET


def voice(item: Reviewed, group: str = "affiliation") -> str:
    """Whose position the statement counts for: the holder, or the actor a person speaks for."""
    if group == "affiliation" and item.holder.affiliation is not None:
        return item.holder.affiliation.name
    return item.holder.name


def parse_day(raw: str, name: str, problems: list[str]) -> date | None:
    """A YYYY-MM-DD query value; anything else is ignored with a note in ``problems``."""
    raw = raw.strip(" \t")
    if not raw:
        return None
    if not DATE_RE.fullmatch(raw):
        problems.append(f"{name} date '{raw[:20]}' is not in the form YYYY-MM-DD; ignored")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"{name} date {raw} is not a day of the calendar; ignored")
        return None


def parse_range(params: Mapping[str, str], problems: list[str]) -> tuple[date | None, date | None]:
    """The ``from`` and ``to`` query parameters; a range that ends before it starts is ignored."""
    start = parse_day(params.get("from", ""), "from", problems)
    end = parse_day(params.get("to", ""), "to", problems)
    if start and end and start > end:
        problems.append("the from date is after the to date; dates ignored")
        return None, None
    return start, end


def day_of(record: StatementRecord, article_dates: Mapping[str, str | None]) -> date | None:
    """The statement's date (its own ``published``, else its article's), or None when unknown."""
    published = record.published or article_dates.get(record.article_id)
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def in_range(day: date | None, start: date | None, end: date | None) -> bool:
    """With no range everything is in; with one, undated statements are out."""
    if start is None and end is None:
        return True
    return day is not None and (start is None or start <= day) and (end is None or day <= end)


@dataclass
class StanceCounts:
    name: str
    counts: Counter = field(default_factory=Counter)
    members: Counter = field(default_factory=Counter)  # holders rolled up into this row

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def others(self, own: str | None = None) -> list[tuple[str, int]]:
        """The holders other than ``own`` (default: the row's name) that count for the row."""
        own = self.name if own is None else own
        return sorted(((n, c) for n, c in self.members.items() if n != own), key=lambda m: (-m[1], m[0]))

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


def _sorted(rows: dict[str, StanceCounts]) -> list[StanceCounts]:
    return sorted(rows.values(), key=lambda s: (-s.total, s.name.casefold()))


def holder_summary(reviewed: Sequence[Reviewed], group: str = "affiliation") -> list[StanceCounts]:
    """Stance counts per holder (statements marked "not a statement" left out), most statements first."""
    by_holder: dict[str, StanceCounts] = {}
    for item in reviewed:
        if item.status == "rejected":
            continue
        row = by_holder.setdefault(voice(item, group), StanceCounts(voice(item, group)))
        row.counts[item.stance] += 1
        row.members[item.holder.name] += 1
    return _sorted(by_holder)


def target_summary(
    reviewed: Sequence[Reviewed], holder: str, group: str = "affiliation"
) -> list[StanceCounts]:
    """One holder's stance counts by target."""
    by_target: dict[str, StanceCounts] = {}
    for item in reviewed:
        if item.status == "rejected" or voice(item, group) != holder:
            continue
        name = target_name(item)
        row = by_target.setdefault(name, StanceCounts(name))
        row.counts[item.stance] += 1
        row.members[item.holder.name] += 1
    return _sorted(by_target)


@dataclass(frozen=True)
class Week:
    monday: date
    counts: Counter

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Timeline:
    """Statements per ISO week by stance, every week from the first to the last (empty ones too)."""

    weeks: list[Week]
    undated: int = 0
    earlier: int = 0  # statements in weeks before the drawn ones (more than MAX_WEEKS)

    @property
    def peak(self) -> int:
        return max((w.total for w in self.weeks), default=0) or 1

    def step(self, width: float) -> float:
        """The horizontal room of one week: the chart's width shared out, at most MAX_STEP."""
        return min(width / max(len(self.weeks), 1), MAX_STEP)

    def columns(self, width: float, height: float) -> list[tuple[Week, float, float, list[tuple]]]:
        """(week, x, bar width, [(label, count, y, h)]) for a chart ``width`` by ``height``, stacked up."""
        if not self.weeks:
            return []
        step = self.step(width)
        bar = max(step - (1 if step > 4 else 0), 0.5)
        columns = []
        for i, week in enumerate(self.weeks):
            stack, top = [], float(height)
            for label in STANCE_LABELS:
                n = week.counts.get(label, 0)
                if n:
                    h = height * n / self.peak
                    top -= h
                    stack.append((label, n, round(top, 2), round(h, 2)))
            columns.append((week, round(i * step, 2), round(bar, 2), stack))
        return columns

    def ticks(self, width: float, most: int = 8) -> list[tuple[float, str]]:
        """(x, week label) of the weeks to label on the axis: at most ``most``, evenly spaced."""
        step = self.step(width)
        spanned = -(-TICK_ROOM // max(int(step), 1))  # how many weeks one label is wide
        every = max(1, -(-len(self.weeks) // most), spanned)
        return [(round(i * step, 2), self.weeks[i].label) for i in range(0, len(self.weeks), every)]


def weekly_timeline(
    reviewed: Sequence[Reviewed], day: Callable[[Reviewed], date | None], max_weeks: int = MAX_WEEKS
) -> Timeline:
    """Count the statements (rejected ones left out) in the ISO week of their date."""
    counts: dict[date, Counter] = {}
    undated = 0
    for item in reviewed:
        if item.status == "rejected":
            continue
        when = day(item)
        if when is None:
            undated += 1
            continue
        counts.setdefault(when - timedelta(days=when.weekday()), Counter())[item.stance] += 1
    if not counts:
        return Timeline([], undated=undated)
    first, last = min(counts), max(counts)
    if (last - first).days // 7 >= max_weeks:
        first = last - timedelta(weeks=max_weeks - 1)
    earlier = sum(sum(c.values()) for monday, c in counts.items() if monday < first)
    mondays = (first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1))
    weeks = [Week(monday, counts.get(monday, Counter())) for monday in mondays]
    return Timeline(weeks, undated=undated, earlier=earlier)
