"""Output contract 1.1: the records written to articles, statements and errors JSONL.

1.1 is additive over 1: every new field is optional, so a v1 record whose values fit still
validates. It adds the actor an actor speaks for (``affiliation``) and a ``sector``, more
actor types, and on every statement its article's ``published`` (ISO 8601), ``url`` and
``title`` and the PLOVER event type (``plover``) the stance and cue map to.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline import STANCE_LABELS

SCHEMA_VERSION = "1.1"
SchemaVersion = Literal["1", "1.1"]

StanceLabel = Literal["support", "refusal", "mediation", "opposition", "neutral"]
ActorType = Literal[
    "state", "person", "organization", "group", "armed_group", "party", "court", "company", "media", "other"
]
Sector = Literal["government", "military", "opposition", "rebel", "IGO", "NGO", "business", "media"]
SECTORS: tuple[str, ...] = Sector.__args__
PloverType = Literal[
    "SUPPORT",
    "AGREE",
    "AID",
    "COOPERATE",
    "REJECT",
    "CONSULT",
    "DISAPPROVE",
    "ACCUSE",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "DEMAND",
]
# a date, or a UTC date-time to the second
PUBLISHED_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$"
PUBLISHED_DESCRIPTION = (
    "ISO 8601: a date (2026-03-05) or a UTC date-time (2026-03-05T14:05:00Z); null if unknown."
)
FurnitureKind = Literal["heading", "caption", "toc", "bio", "social", "reader_prompt", "boilerplate"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActorRef(_Record):
    """The actor another actor speaks for (a minister's state, a spokesman's organisation)."""

    name: str = Field(min_length=1)
    type: ActorType
    country_code: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    id: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")


class Actor(_Record):
    """A canonical actor and the words that named it."""

    name: str = Field(min_length=1, description="Canonical name, e.g. 'Russia' for 'the Kremlin'.")
    mention: str = Field(min_length=1, description="The words in the text.")
    type: ActorType = Field(
        description="state, person, organization, group, armed_group, party, court, company, media or other."
    )
    country: str | None = Field(default=None, description="Country the actor belongs to.")
    country_code: str | None = Field(
        default=None, pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 code."
    )
    id: str | None = Field(
        default=None, pattern=r"^Q[1-9][0-9]*$", description="Verified Wikidata id, else null."
    )
    title: str | None = Field(
        default=None,
        description="Office held by the person, or by the unnamed official who speaks for this "
        "state or organisation.",
    )
    affiliation: ActorRef | None = Field(
        default=None,
        description="The actor this one speaks for (1.1); null for anyone acting for themselves.",
    )
    sector: Sector | None = Field(default=None, description="Sector the actor's type gives (1.1), else null.")


class FurnitureSpan(_Record):
    """A stretch of the article text recognised as page furniture and skipped."""

    kind: FurnitureKind
    char_start: int = Field(ge=0)
    char_end: int = Field(gt=0)


class ArticleRecord(_Record):
    schema_version: SchemaVersion = SCHEMA_VERSION
    article_id: str = Field(pattern=r"^[0-9a-f]{16}$", description="Hash of the cleaned text.")
    source: str = Field(min_length=1, description="Path, path:line or URL.")
    title: str | None = None
    published: str | None = Field(default=None, pattern=PUBLISHED_PATTERN, description=PUBLISHED_DESCRIPTION)
    url: str | None = Field(default=None, description="Where the article was published (1.1), if known.")
    urls: list[str] = Field(
        default_factory=list, description="Every URL the same text arrived from, sorted (1.1)."
    )
    text: str = Field(min_length=1, description="Cleaned text; all offsets refer to it.")
    furniture: list[FurnitureSpan] = Field(default_factory=list)

    @model_validator(mode="after")
    def _furniture_in_range(self) -> "ArticleRecord":
        for span in self.furniture:
            if not span.char_start < span.char_end <= len(self.text):
                raise ValueError(f"furniture span {span} is outside the text")
        return self


class StatementRecord(_Record):
    schema_version: SchemaVersion = SCHEMA_VERSION
    statement_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    article_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    sentence_index: int = Field(ge=0)
    char_start: int = Field(ge=0)
    char_end: int = Field(gt=0)
    text: str = Field(min_length=1, description="The evidence: article.text[char_start:char_end].")
    holder: Actor
    speaker: Actor | None = None
    target: Actor | None = None
    cue: str = Field(min_length=1)
    stance: StanceLabel
    confidence: float = Field(ge=0.0, le=1.0)
    scores: dict[str, float]
    negated: bool = False
    conditional: bool = False
    hedged: bool = False
    model: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="name@version")
    published: str | None = Field(
        default=None,
        pattern=PUBLISHED_PATTERN,
        description="The article's date (1.1). " + PUBLISHED_DESCRIPTION,
    )
    url: str | None = Field(default=None, description="The article's URL (1.1), if known.")
    title: str | None = Field(default=None, description="The article's title (1.1), if known.")
    plover: PloverType | None = Field(
        default=None, description="PLOVER event type the stance and cue map to (1.1); null for neutral."
    )
    plover_mode: str | None = Field(default=None, description="PLOVER mode where the map gives one (1.1).")

    @field_validator("scores")
    @classmethod
    def _scores_are_probabilities(cls, scores: dict[str, float]) -> dict[str, float]:
        if set(scores) != set(STANCE_LABELS):
            raise ValueError(f"scores must have exactly the labels {STANCE_LABELS}")
        if any(not 0.0 <= value <= 1.0 for value in scores.values()):
            raise ValueError("every score must be a probability in [0, 1]")
        return {label: scores[label] for label in STANCE_LABELS}

    @model_validator(mode="after")
    def _evidence_matches_offsets(self) -> "StatementRecord":
        if self.char_end - self.char_start != len(self.text):
            raise ValueError("char_end - char_start must equal the evidence length")
        if self.scores.get(self.stance) != max(self.scores.values()):
            raise ValueError("stance must be the label with the highest score")
        return self


class ErrorRecord(_Record):
    schema_version: SchemaVersion = SCHEMA_VERSION
    source: str = Field(min_length=1, description="The input that failed: path, path:line or URL.")
    error: str = Field(min_length=1, description="Short error kind, e.g. 'not-utf8'.")
    message: str = Field(min_length=1, description="What went wrong, for a person.")


RECORD_KINDS: dict[str, type[_Record]] = {
    "article": ArticleRecord,
    "statement": StatementRecord,
    "error": ErrorRecord,
}
