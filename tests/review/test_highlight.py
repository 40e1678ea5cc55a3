"""Contact masking, word marks and the weekly timeline as plain functions."""

from collections import Counter
from datetime import date

import pytest

from pipeline.output.records import ArticleRecord, FurnitureSpan
from review.corrections import Correction, Reviewed
from review.highlight import MASK, contact_spans, evidence_parts, segments
from review.summary import MAX_WEEKS, Timeline, Week, parse_day, weekly_timeline
from tests.review.builders import NORWAY, QATAR, UKRAINE, statement


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("write to a.b@sub.example.co.uk today", ["a.b@sub.example.co.uk"]),
        ("call +44 20 7946 0958 now", ["+44 20 7946 0958"]),
        ("Tel: 555-0142", ["555-0142"]),
        ("(020) 7946 0958", ["(020) 7946 0958"]),
        ("+7 (495) 123-45-67", ["+7 (495) 123-45-67"]),
        ("On 2026-01-02 at 12.30 some 5,000 troops", []),
        ("1 000 000 people and 100 000 000 more", []),
        ("between 1990 and 2000, on 12/03/2024", []),
        ("resolution 2334 of 2016", []),
    ],
)
def test_contact_spans(text, found):
    assert [text[s:e] for s, e, _ in contact_spans(text)] == found


def _reviewed(record, status: str = "unreviewed", label: str | None = None) -> Reviewed:
    correction = Correction(
        status=status,
        label=label or record.stance,
        holder_mention=record.holder.mention,
        holder_name=record.holder.name,
        target_mention=record.target.mention if record.target else None,
        holder_changed=False,
        target_changed=False,
    )
    return Reviewed(record=record, correction=correction, holder=record.holder, target=record.target)


EVIDENCE = "Oslo pledged to write to aid@example.no about Kyiv."
FOOTER = "Desk: desk@example.no"
TEXT = f"{EVIDENCE} Aside: side@example.no.\n{FOOTER}"


def _article() -> ArticleRecord:
    start = TEXT.index(FOOTER)
    return ArticleRecord(
        article_id="0" * 16,
        source="x",
        text=TEXT,
        furniture=[FurnitureSpan(kind="bio", char_start=start, char_end=start + len(FOOTER))],
    )


def test_contacts_are_masked_outside_the_evidence_only_and_nothing_moves():
    article = _article()
    item = _reviewed(statement(article, EVIDENCE, 0, NORWAY, "support", 0.9, "pledged", target=UKRAINE))
    pieces = segments(article, [item])
    shown = "".join(seg.text for seg in pieces)
    assert len(shown) == len(TEXT)
    assert "aid@example.no" in shown  # inside the evidence: the statement as it is
    assert "side@example.no" not in shown and "desk@example.no" not in shown
    assert shown.replace(MASK, "x") == TEXT.replace("side@example.no", "x" * 15).replace(
        "desk@example.no", "x" * 15
    )
    [evidence] = [seg for seg in pieces if seg.statement_ids]
    assert evidence.text == EVIDENCE and evidence.stance == "support"
    assert [(p.text, p.roles) for p in evidence.parts if p.roles] == [
        ("Oslo", "w-holder"),
        ("pledged", "w-cue"),
        ("Kyiv", "w-target"),
    ]


def test_words_are_found_whole_and_apart():
    text = "Qatar said the Qatari offer stands; Qatar offered talks."
    article = ArticleRecord(article_id="1" * 16, source="x", text=text)
    record = statement(article, text, 0, QATAR, "mediation", 0.9, "offer", target=QATAR)
    parts = [(p.text, p.roles) for p in evidence_parts(_reviewed(record)) if p.roles]
    # holder: the first "Qatar"; target: the next free "Qatar"; cue: "offer" as a whole word
    assert parts == [("Qatar", "w-holder"), ("offer", "w-cue"), ("Qatar", "w-target")]


def test_rejected_statements_lose_their_marks_and_different_stances_mix():
    article = _article()
    support = _reviewed(statement(article, EVIDENCE, 0, NORWAY, "support", 0.9, "pledged"))
    rejected = _reviewed(support.record, status="rejected")
    assert all(not p.roles for seg in segments(article, [rejected]) if seg.statement_ids for p in seg.parts)
    other = _reviewed(
        support.record.model_copy(update={"statement_id": "f" * 16}), label="refusal", status="corrected"
    )
    [evidence] = [seg for seg in segments(article, [support, other]) if seg.statement_ids]
    assert evidence.stance == "mixed"


@pytest.mark.parametrize("raw", ["2026-02-29", "2026-13-01", "26-01-01", "2026-01-01 ", "٢٠٢٦-01-01"])
def test_parse_day_is_strict(raw):
    problems: list[str] = []
    assert parse_day(raw, "from", problems) is None or raw == "2026-01-01 "
    assert problems or raw == "2026-01-01 "


def test_timeline_keeps_the_latest_weeks_and_survives_the_calendar_edges():
    class Item:
        status = "unreviewed"
        stance = "support"

        def __init__(self, day):
            self.day = day

    items = [Item(date(1, 1, 1)), Item(date(9999, 12, 31)), Item(date(9999, 12, 20)), Item(None)]
    timeline = weekly_timeline(items, lambda i: i.day)
    assert len(timeline.weeks) == MAX_WEEKS and timeline.earlier == 1 and timeline.undated == 1
    assert timeline.weeks[-1].label == "9999-W52" and timeline.weeks[-1].total == 1
    columns = timeline.columns(960, 120)
    assert len(columns) == MAX_WEEKS and columns[-1][3] == [("support", 1, 0.0, 120.0)]
    assert len(timeline.ticks(960)) <= 8


def test_timeline_columns_stack_by_stance():
    week = Week(date(2026, 1, 5), Counter({"support": 1, "refusal": 3}))
    [(found, x, width, stack)] = Timeline([week]).columns(100, 40)
    assert found.label == "2026-W02" and x == 0.0 and width == 47.0
    assert stack == [("support", 1, 30.0, 10.0), ("refusal", 3, 0.0, 30.0)]
