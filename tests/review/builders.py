"""A small run folder built by hand from valid contract records, HTML and <script> included."""

import hashlib
from pathlib import Path

from pipeline import STANCE_LABELS
from pipeline.output.jsonio import write_json, write_jsonl
from pipeline.output.records import Actor, ActorRef, ArticleRecord, FurnitureSpan, StatementRecord

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


# --- a larger run: four articles over three ISO weeks (and one undated), persons who speak for
# a state or the UN, two statements with different stances on one sentence, contact details in
# the furniture. Its own fixture, so the small run's counts above stay as they are.

UN = ActorRef(name="United Nations", type="organization", id="Q1065")
LAVROV = Actor(
    name="Sergei Lavrov",
    mention="Sergei Lavrov",
    type="person",
    country="Russia",
    country_code="RUS",
    title="foreign minister",
    affiliation=ActorRef(name="Russia", type="state", country_code="RUS", id="Q159"),
)
FIDAN = Actor(
    name="Hakan Fidan",
    mention="Hakan Fidan",
    type="person",
    country="Türkiye",
    country_code="TUR",
    affiliation=ActorRef(name="Türkiye", type="state", country_code="TUR", id="Q43"),
)
DUJARRIC = Actor(name="Stéphane Dujarric", mention="Stéphane Dujarric", type="person", affiliation=UN)
LEE = Actor(name="Dr Lee", mention="Dr Lee", type="person", country="South Korea", country_code="KOR")
IRAN = Actor(name="Iran", mention="Iran", type="state", country="Iran", country_code="IRN", id="Q794")
CHINA = Actor(name="China", mention="Beijing", type="state", country="China", country_code="CHN", id="Q148")
USA = Actor(name="United States", mention="Washington", type="state", country_code="USA", id="Q30")
BRAZIL = Actor(name="Brazil", mention="Brazil", type="state", country_code="BRA", id="Q155")
GERMANY = Actor(name="Germany", mention="Berlin", type="state", country_code="DEU", id="Q183")

# (sentence, holder, stance, cue, target)
BIG_SENTENCES = [
    (
        "Ankara turned down the request from Moscow to close the straits.",
        TURKEY,
        "refusal",
        "turned down",
        RUSSIA,
    ),
    ("Qatar offered to host talks between Kyiv and Moscow.", QATAR, "mediation", "offered", None),
    (
        "Foreign Minister Sergei Lavrov said Moscow would not defend Iran if it was attacked.",
        LAVROV,
        "refusal",
        "would not defend",
        IRAN,
    ),
    ("Oslo pledged two air-defence batteries to Kyiv.", NORWAY, "support", "pledged", UKRAINE),
    ("Canberra condemned the strikes on Kyiv.", AUSTRALIA, "opposition", "condemned", UKRAINE),
    (
        "UN spokesman Stéphane Dujarric urged both sides to exercise restraint.",
        DUJARRIC,
        "mediation",
        "urged",
        None,
    ),
    ("Hakan Fidan said Ankara would back the ceasefire plan.", FIDAN, "support", "back", None),
    ("Beijing urged Washington and Tehran to return to talks.", CHINA, "mediation", "urged", None),
    (
        "Washington criticised Tehran over the drone attacks.",
        USA,
        "opposition",
        "criticised",
        IRAN.model_copy(update={"mention": "Tehran"}),
    ),
    ("The analyst Dr Lee said the region was worried.", LEE, "neutral", "said", None),
    ("Brazil endorsed the ceasefire plan.", BRAZIL, "support", "endorsed", None),
    ("Berlin rejected calls to send tanks to the front.", GERMANY, "refusal", "rejected", None),
]
MIXED_SENTENCE = "Moscow spurned the proposal while Qatar welcomed it."
CONTACT_EMAIL = "ana.ruiz@example.org"
CONTACT_PHONE = "+44 20 7946 0958"
BIO = f"Reporting by Ana Ruiz; contact {CONTACT_EMAIL} or {CONTACT_PHONE}."
PRESS = "Press office: press@example.net."
# (title, published on the article, published on its statements, how many sentences)
BIG_ARTICLES = [
    ("Gulf talks stall", "2026-01-05", None, 12),
    ("Straits dispute widens", "2026-01-14", "2026-01-14T09:30:00Z", 12),
    ("Ceasefire plan gains backers", "2026-02-02", None, 8),
    ("Undated wire copy", None, None, 4),
]


def build_big_records() -> tuple[list[ArticleRecord], list[StatementRecord]]:
    articles, statements = [], []
    for number, (title, published, stated, count) in enumerate(BIG_ARTICLES):
        chosen = BIG_SENTENCES[:count]
        heading = f"{title}\n\n"
        body = " ".join(s for s, *_ in chosen)
        if number == 0:
            body += f" {MIXED_SENTENCE}\n\n{PRESS}"
        text = f"{heading}{body}\n\n{BIO}"
        furniture = [
            FurnitureSpan(kind="heading", char_start=0, char_end=len(title)),
            FurnitureSpan(kind="bio", char_start=len(text) - len(BIO), char_end=len(text)),
        ]
        article = ArticleRecord(
            article_id=_id(text),
            source=f"https://example.org/wire/{number}",
            title=title,
            published=published,
            text=text,
            furniture=furniture,
        )
        articles.append(article)
        rows = [(s, h, st, c, t) for s, h, st, c, t in chosen]
        if number == 0:
            rows += [
                (MIXED_SENTENCE, RUSSIA, "refusal", "spurned", None),
                (MIXED_SENTENCE, QATAR, "support", "welcomed", None),
            ]
        for index, (sentence, holder, stance, cue, target) in enumerate(rows):
            confidence = round(0.3 + ((len(statements) * 37) % 69) / 100, 2)
            record = statement(article, sentence, index, holder, stance, confidence, cue, target=target)
            if stated:
                record = record.model_copy(update={"published": stated})
            statements.append(record)
    return articles, statements


def write_big_run(folder: Path) -> Path:
    articles, statements = build_big_records()
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "articles.jsonl", articles)
    write_jsonl(folder / "statements.jsonl", statements)
    write_json(folder / "manifest.json", {"schema_version": "1.1", "counts": {"statements": len(statements)}})
    return folder
