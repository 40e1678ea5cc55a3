"""A small run folder built by hand from valid contract records, HTML and <script> included."""

import hashlib
from pathlib import Path

from pipeline import STANCE_LABELS
from pipeline.output.jsonio import write_json, write_jsonl
from pipeline.output.records import Actor, ArticleRecord, FurnitureSpan, StatementRecord

SCRIPT = "<script>alert(1)</script>"
TURKEY = Actor(
    name="Türkiye", mention="Ankara", type="state", country="Türkiye", country_code="TUR", id="Q43"
)
QATAR = Actor(name="Qatar", mention="Qatar", type="state", country="Qatar", country_code="QAT", id="Q846")
RUSSIA = Actor(name="Russia", mention="Moscow", type="state", country="Russia", country_code="RUS", id="Q159")
NORWAY = Actor(name="Norway", mention="Oslo", type="state", country="Norway", country_code="NOR", id="Q20")
UKRAINE = Actor(
    name="Ukraine", mention="Kyiv", type="state", country="Ukraine", country_code="UKR", id="Q212"
)
SOLVANG = Actor(
    name="Ingrid Solvang", mention="Ingrid Solvang", type="person", country="Norway", country_code="NOR"
)
AUSTRALIA = Actor(name="Australia", mention="Canberra", type="state", country="Australia", country_code="AUS")

HEADING = "Straits <i>talks</i> & more\n\n"
S_REFUSAL = "Ankara turned down a Russian request to close the straits."
S_MEDIATION = f"Qatar <b>offered</b> to host talks {SCRIPT} between the two sides."
S_MOSCOW = "Ingrid Solvang said Moscow would not send troops to the region."
S_CORef = "She added that the plan would fail."
ARTICLE_1 = f"{HEADING}{S_REFUSAL} {S_MEDIATION}\n\n{S_MOSCOW} {S_CORef} The end."
S_SUPPORT = "Oslo pledged two air-defence batteries to Kyiv."
S_OPPOSITION = "Canberra condemned the strikes on Kyiv."
ARTICLE_2 = f"{S_SUPPORT} {S_OPPOSITION}"


def _id(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def scores(stance: str, confidence: float) -> dict[str, float]:
    rest = round((1 - confidence) / 4, 4)
    return {label: confidence if label == stance else rest for label in STANCE_LABELS}


def statement(
    article: ArticleRecord,
    sentence: str,
    index: int,
    holder: Actor,
    stance: str,
    confidence: float,
    cue: str,
    target: Actor | None = None,
    speaker: Actor | None = None,
    **flags: bool,
) -> StatementRecord:
    start = article.text.index(sentence)
    return StatementRecord(
        statement_id=_id(article.article_id, start, holder.name, cue),
        article_id=article.article_id,
        sentence_index=index,
        char_start=start,
        char_end=start + len(sentence),
        text=sentence,
        holder=holder,
        speaker=speaker,
        target=target,
        cue=cue,
        stance=stance,
        confidence=confidence,
        scores=scores(stance, confidence),
        model="stance-minilm@1.3.0",
        **flags,
    )


def build_records() -> tuple[list[ArticleRecord], list[StatementRecord]]:
    first = ArticleRecord(
        article_id=_id(ARTICLE_1),
        source="corpora/test/<b>straits</b>.txt",
        title=f"Straits talks <b>bold</b> {SCRIPT}",
        published="2026-01-02",
        text=ARTICLE_1,
        furniture=[FurnitureSpan(kind="heading", char_start=0, char_end=len(HEADING.rstrip()))],
    )
    second = ArticleRecord(
        article_id=_id(ARTICLE_2),
        source="https://example.org/wire/oslo",
        title="Oslo pledges",
        text=ARTICLE_2,
    )
    statements = [
        statement(first, S_REFUSAL, 0, TURKEY, "refusal", 0.91, "turned down"),
        statement(first, S_MEDIATION, 1, QATAR, "mediation", 0.55, "offered"),
        statement(first, S_MOSCOW, 2, RUSSIA, "refusal", 0.62, "send", speaker=SOLVANG, negated=True),
        statement(first, S_CORef, 3, SOLVANG, "neutral", 0.31, "added"),
        statement(second, S_SUPPORT, 0, NORWAY, "support", 0.97, "pledged", target=UKRAINE),
        statement(
            second,
            S_OPPOSITION,
            1,
            AUSTRALIA,
            "opposition",
            0.48,
            "condemned",
            target=UKRAINE.model_copy(update={"mention": "Kyiv"}),
        ),
    ]
    return [first, second], statements


def write_run(folder: Path) -> Path:
    articles, statements = build_records()
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "articles.jsonl", articles)
    write_jsonl(folder / "statements.jsonl", statements)
    write_jsonl(folder / "errors.jsonl", [])
    write_json(folder / "manifest.json", {"schema_version": "1", "counts": {"statements": len(statements)}})
    return folder
