"""The shapes that flow out of ingestion."""

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


@dataclass(frozen=True)
class CleanArticle:
    source: str
    text: str
    title: str | None
    published: str | None
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    speaker: str | None = None

    @property
    def body_blocks(self) -> tuple[Block, ...]:
        return tuple(block for block in self.blocks if block.kind == "body")

    @property
    def furniture_blocks(self) -> tuple[Block, ...]:
        return tuple(block for block in self.blocks if block.kind != "body")
