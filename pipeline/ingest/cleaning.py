"""Turn a raw document into the cleaned text that every offset refers to, split into blocks."""

import re
import unicodedata

from pipeline.ingest.config import IngestConfig
from pipeline.ingest.dates import normalise_published
from pipeline.ingest.document import Block, CleanArticle, RawDocument, is_url
from pipeline.ingest.errors import InputError
from pipeline.ingest.furniture import (
    BIO_SENTENCE_RE,
    BYLINE_RE,
    classify_blocks,
    repeated_short_lines,
    split_glued_caption,
)

INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
BLANK_LINE_RE = re.compile(r"\n\s*\n")
BOLD_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
ITALIC_BLOCK_RE = re.compile(r"^[*_](?=\S)(.+)(?<=\S)[*_]$", re.S)
MD_HEADING_RE = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
MD_IMAGE_RE = re.compile(r"^!\[([^\]]*)\]\([^)]*\)\s*$")
MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
LIST_LINE_RE = re.compile(r"^\s*([•*·\-–]|\d+[.)])\s+")
MAX_TITLE_WORDS = 30


def normalise(text: str) -> str:
    """Unicode NFC, one newline style, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = INVISIBLE_RE.sub("", text)
    lines = [SPACES_RE.sub(" ", line).rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def strip_inline_markup(text: str) -> str:
    """Drop Markdown emphasis and link syntax, keeping the words."""
    text = MD_LINK_RE.sub(lambda m: m.group(1), text)
    return BOLD_RE.sub(lambda m: m.group(2), text)


def _split_title(text: str, fmt: str) -> tuple[str | None, str]:
    first, _, rest = text.partition("\n")
    heading = MD_HEADING_RE.match(first)
    if heading:
        return strip_inline_markup(heading.group(1)), rest
    if fmt != "text" or not rest.startswith("\n"):
        return None, text
    if 0 < len(first.split()) <= MAX_TITLE_WORDS and not first.rstrip().endswith("."):
        return strip_inline_markup(first.strip()), rest
    return None, text


def _prepare_block(raw: str, fmt: str) -> tuple[str, str | None]:
    """The block's text (prose lines joined, lists kept) and a kind known from markup."""
    preset: str | None = None
    lines = [line.strip() for line in raw.split("\n") if line.strip()]
    if fmt == "markdown" and len(lines) == 1 and MD_HEADING_RE.match(lines[0]):
        return strip_inline_markup(MD_HEADING_RE.match(lines[0]).group(1)), "heading"
    if fmt == "markdown" and lines and MD_IMAGE_RE.match(lines[0]):
        alt = MD_IMAGE_RE.match(lines[0]).group(1) or "image"
        return " ".join([alt, *(strip_inline_markup(line).strip("*_") for line in lines[1:])]), "caption"
    if any(LIST_LINE_RE.match(line) for line in lines):
        text = "\n".join(strip_inline_markup(line) for line in raw.split("\n") if line.strip())
    else:
        text = strip_inline_markup(" ".join(lines))
    italic = ITALIC_BLOCK_RE.match(text)
    if italic and fmt == "markdown":
        text = italic.group(1)
        preset = None if len(text.split()) > 80 else "caption"
        if preset and (BYLINE_RE.match(text) or BIO_SENTENCE_RE.search(text)):
            preset = "bio"
    return text, preset


def clean_document(raw: RawDocument, config: IngestConfig) -> CleanArticle:
    text = normalise(raw.text)
    title, body = (raw.title, text) if raw.title else _split_title(text, raw.format)
    if title is not None:
        title = normalise(title) or None
    # trafilatura separates the paragraphs of an HTML page with single newlines
    separator = re.compile(r"\n") if raw.format == "html" else BLANK_LINE_RE
    prepared = [_prepare_block(part, raw.format) for part in separator.split(body) if part.strip()]
    captions = repeated_short_lines([block_text for block_text, _ in prepared])
    # a caption split off a paragraph is classified afresh; the paragraph keeps its preset kind
    pieces = [
        (piece, preset if n == 0 else None)
        for block_text, preset in prepared
        for n, piece in enumerate(split_glued_caption(block_text, captions))
    ]
    texts = [piece for piece, _ in pieces]
    presets: list[str | None] = [preset for _, preset in pieces]
    kinds = classify_blocks(texts, presets)

    pieces: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for block_text, kind in zip(texts, kinds, strict=True):
        if pieces:
            pieces.append("\n\n")
            offset += 2
        pieces.append(block_text)
        blocks.append(Block(kind=kind, start=offset, end=offset + len(block_text)))
        offset += len(block_text)
    cleaned = "".join(pieces)

    if len(cleaned.strip()) < config.min_article_chars:
        raise InputError(raw.source, "empty", "no article text after cleaning")
    if len(cleaned) > config.max_article_chars:
        raise InputError(
            raw.source,
            "too-large",
            f"article has {len(cleaned):,} characters, over the limit of {config.max_article_chars:,}",
        )
    if not any(block.kind == "body" for block in blocks):
        raise InputError(raw.source, "no-body", "no article body found (only headings or page furniture)")
    published = normalise_published(raw.published)
    return CleanArticle(
        source=raw.source,
        text=cleaned,
        title=title,
        published=published,
        blocks=tuple(blocks),
        speaker=raw.speaker,
        urls=(raw.source,) if is_url(raw.source) else (),
        published_raw=raw.published
        if published is None and raw.published and raw.published.strip()
        else None,
    )
