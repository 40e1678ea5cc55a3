"""The shapes that flow out of ingestion."""

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawDocument:
    """An article as read from its source, before cleaning."""

    source: str
    text: str
    format: str
    title: str | None = None
    published: str | None = None
    speaker: str | None = None  # who speaks in the first person (a speech's country, a ministry)


@dataclass(frozen=True)
class Block:
    """A paragraph-like stretch of the cleaned text, ``kind`` 'body' or a furniture kind."""

    kind: str
    start: int
    end: int


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def text_id(text: str) -> str:
    """An article's id: the hash of its cleaned text (what the state store keys it by)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class CleanArticle:
    """An article ready for extraction; ``article_id`` is computed once, when it is made."""

    source: str
    text: str
    title: str | None
    published: str | None  # ISO 8601 (pipeline/ingest/dates.py), or None
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    speaker: str | None = None
    urls: tuple[str, ...] = ()  # every URL this text arrived from (duplicates merged), sorted
    published_raw: str | None = None  # the date as the input wrote it, when it could not be read
    article_id: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "article_id", text_id(self.text))

    @property
    def url(self) -> str | None:
        """Where it was published: its own source when that is a URL, else the first merged URL."""
        if is_url(self.source):
            return self.source
        return self.urls[0] if self.urls else None

    @property
    def metadata_count(self) -> int:
        """How much a copy says about itself beyond its text (de-duplication keeps the richest)."""
        return sum(value is not None for value in (self.title, self.published, self.url, self.speaker))

    @property
    def body_blocks(self) -> tuple[Block, ...]:
        return tuple(block for block in self.blocks if block.kind == "body")

    @property
    def furniture_blocks(self) -> tuple[Block, ...]:
        return tuple(block for block in self.blocks if block.kind != "body")
