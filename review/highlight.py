"""Article text and evidence as the pages show them.

- Every evidence span is a highlight coloured by its (corrected) stance; inside it the holder's
  words, the cue and the target are marked, each found by its words in the evidence sentence.
- Contact details (e-mail addresses, phone numbers) in page furniture, or anywhere outside the
  evidence, are masked. A masked character becomes one mask character, so no offset moves and
  every highlight still starts and ends where the run says. The evidence itself is shown as it
  is: it is the statement being judged, and it is what the exports carry.

Pure functions over the records; templates only lay the pieces out.
"""

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.output.records import ArticleRecord
from review.corrections import Reviewed

MASK = "•"
# the classes a stretch of text can carry, in the order they are written
ROLES = ("w-holder", "w-target", "w-cue", "masked")
MIXED = "mixed"

EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}"
)
_GROUP = r"(?:\([0-9]{1,5}\)|[0-9]{1,5})"
PHONE_RE = re.compile(rf"(?<![\w+.,/-])(?:\+|00)?{_GROUP}(?:[ .\-/]?{_GROUP}){{1,7}}(?![\w])")
PHONE_WORD_RE = re.compile(
    r"(?:tel|phone|telephone|call|fax|mobile|mob|cell|whatsapp|signal|contact|ph)\b[.:]?\s*(?:\([^)]{0,12}\)\s*)?$",
    re.IGNORECASE,
)
DATE_LIKE_RE = re.compile(r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}")
THOUSANDS_RE = re.compile(r"[0-9]{1,3}(?:[ .][0-9]{3})+")


def _looks_like_phone(text: str, start: int, found: str) -> bool:
    digits = sum(ch.isdigit() for ch in found)
    if not 7 <= digits <= 15 or DATE_LIKE_RE.fullmatch(found) or THOUSANDS_RE.fullmatch(found):
        return False
    if found.startswith(("+", "00")) or "(" in found:
        return True
    if PHONE_WORD_RE.search(text[max(0, start - 24) : start]):
        return True
    groups = len(re.findall(r"[0-9]+", found))
    return groups >= 3 and digits >= 9


def contact_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each e-mail address and phone number in ``text``, in order."""
    spans = [(m.start(), m.end(), "e-mail address") for m in EMAIL_RE.finditer(text)]
    for match in PHONE_RE.finditer(text):
        if _looks_like_phone(text, match.start(), match.group()) and not any(
            s < match.end() and match.start() < e for s, e, _ in spans
        ):
            spans.append((match.start(), match.end(), "phone number"))
    return sorted(spans)


def _inside(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def masked_spans(article: ArticleRecord, evidence: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The contact details to hide: those in page furniture, and those outside every evidence span."""
    furniture = [(f.char_start, f.char_end) for f in article.furniture]
    return [
        (s, e, kind)
        for s, e, kind in contact_spans(article.text)
        if _inside(furniture, s, e) or not any(a < e and s < b for a, b in evidence)
    ]


def mask(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with every character of the spans but whitespace replaced by MASK: same length."""
    chars = list(text)
    for start, end, _ in spans:
        for i in range(start, end):
            if not chars[i].isspace():
                chars[i] = MASK
    return "".join(chars)


def _find(text: str, words: str, taken: list[tuple[int, int]], ignore_case: bool) -> tuple[int, int] | None:
    """The first occurrence of ``words`` as whole words that overlaps nothing taken (else any)."""
    if not words:
        return None
    edge_l = r"(?<!\w)" if words[0].isalnum() else ""
    edge_r = r"(?!\w)" if words[-1].isalnum() else ""
    flags = re.IGNORECASE if ignore_case else 0
    found = [m.span() for m in re.finditer(edge_l + re.escape(words) + edge_r, text, flags)]
    if not found:
        found = [m.span() for m in re.finditer(re.escape(words), text, flags)]
    free = [(s, e) for s, e in found if not any(a < e and s < b for a, b in taken)]
    return (free or found or [None])[0]


def word_spans(item: Reviewed) -> list[tuple[int, int, str]]:
    """(start, end, role) of the holder's words, the target's and the cue in the evidence sentence."""
    text = item.record.text
    spans: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    wanted = [(item.correction.holder_mention, "w-holder", False)]
    if item.target is not None:
        wanted.append((item.target.mention, "w-target", True))
    wanted.append((item.record.cue, "w-cue", True))
    for words, role, ignore_case in wanted:
        span = _find(text, words, taken, ignore_case)
        if span is not None:
            spans.append((*span, role))
            taken.append(span)
    return spans


@dataclass(frozen=True)
class Part:
    """A stretch of text and the classes it carries (space-separated, may be empty)."""

    text: str
    roles: str = ""


def _parts(text: str, start: int, end: int, spans: Sequence[tuple[int, int, str]]) -> tuple[Part, ...]:
    cuts = sorted({start, end} | {b for s, e, _ in spans for b in (s, e) if start < b < end})
    parts = []
    for a, b in itertools.pairwise(cuts):
        roles = {role for s, e, role in spans if s <= a and b <= e}
        parts.append(Part(text[a:b], " ".join(r for r in ROLES if r in roles)))
    return tuple(parts)


def evidence_parts(item: Reviewed) -> tuple[Part, ...]:
    """The evidence sentence with the holder's words, the target and the cue marked."""
    text = item.record.text
    return _parts(text, 0, len(text), word_spans(item))


@dataclass(frozen=True)
class Segment:
    """A stretch of article text, the statements whose evidence covers it, and its furniture kind."""

    parts: tuple[Part, ...]
    statement_ids: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()  # statements whose evidence begins here (anchors)
    furniture: str | None = None
    status: str = ""
    stance: str = ""  # the covering statements' stance, MIXED when they differ

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)


def _stance_of(covering: Sequence[Reviewed]) -> str:
    live = [i for i in covering if i.status != "rejected"] or list(covering)
    stances = {i.stance for i in live}
    if not stances:
        return ""
    return stances.pop() if len(stances) == 1 else MIXED


def segments(article: ArticleRecord, reviewed: Sequence[Reviewed]) -> list[Segment]:
    """The article text cut at every evidence and furniture boundary, in order, contacts masked."""
    text = article.text
    evidence = [(i.record.char_start, i.record.char_end) for i in reviewed]
    hidden = masked_spans(article, evidence)
    shown = mask(text, hidden)
    marks = [(s, e, "masked") for s, e, _ in hidden]
    for item in reviewed:
        if item.status != "rejected":
            offset = item.record.char_start
            marks.extend((offset + s, offset + e, role) for s, e, role in word_spans(item))
    bounds = {0, len(text)}
    for start, end in evidence:
        bounds.update((start, end))
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
        inside = [m for m in marks if m[0] < end and start < m[1]]
        pieces.append(
            Segment(
                parts=_parts(shown, start, end, inside),
                statement_ids=tuple(i.statement_id for i in covering),
                starts=tuple(i.statement_id for i in covering if i.record.char_start == start),
                furniture=furniture,
                status=status,
                stance=_stance_of(covering),
            )
        )
    return pieces
