from pydantic import BaseModel, ConfigDict, Field

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")


class IngestConfig(BaseModel):
    """How inputs are found and read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_input_bytes: int = Field(
        default=10 * 1024 * 1024,
        gt=0,
        description="Inputs larger than this many bytes are refused with an error.",
    )
    max_article_chars: int = Field(
        default=1_000_000,
        gt=0,
        description="One article's cleaned text may not exceed this many characters.",
    )
    min_article_chars: int = Field(
        default=20, ge=1, description="Articles shorter than this are refused as empty."
    )
    suffixes: tuple[str, ...] = Field(
        default=SUPPORTED_SUFFIXES, description="File suffixes read when walking folders."
    )
