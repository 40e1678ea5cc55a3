"""Recognise page furniture: headings, captions, tables of contents, bios and social links.

Scraped articles carry the page around them. Each paragraph-like block is classified as
``body`` or as a furniture kind; only body blocks are searched for statements. These are
pure functions over strings, so they are tested on messy text without any model.
"""

import re
from collections import Counter

TOC_RE = re.compile(r"^(table of contents|contents|in this (article|story|piece)|jump to)\s*:?$", re.I)
BIO_START_RE = re.compile(
    r"^(detail author|about the author|author bio|author details?|author|written by|"
    r"meet the author)\s*:?\s*$",
    re.I,
)
BYLINE_RE = re.compile(r"^[Bb]y\s+[A-Z][\w.'-]+(\s+[A-Z][\w.'-]+){0,3}(\s*[,|].{0,60})?$")
BIO_SENTENCE_RE = re.compile(
    r"\bis an? ([\w-]+ ){0,3}(correspondent|reporter|journalist|writer|editor|analyst|fellow|"
    r"contributor|columnist|researcher|author)\b",
    re.I,
)
SOCIAL_RE = re.compile(
    r"^(socials?|share( this( article| story)?)?|follow us( on)?|follow|connect with us|"
    r"twitter|x|facebook|linkedin|instagram|telegram|whatsapp|youtube|tiktok|reddit|email|"
    r"print|copy link)\b[^.]{0,100}\.?$",
    re.I,
)
URL_ONLY_RE = re.compile(r"^\s*(https?://\S+|www\.\S+)\s*$", re.I)
KEY_VALUE_RE = re.compile(r"^\s*[•*·\-–]?\s*[A-Za-z][\w ]{0,24}\s:\s*\S?")
BULLET_RE = re.compile(r"^\s*[•*·\-–]\s+")
CAPTION_CUE_RE = re.compile(
    r"(\b(photo|photograph|image|picture|credit|illustration|file photo)\s*[:(]|"
    r"\((photo|image|credit)\b|\b(getty images|reuters|afp|ap photo|shutterstock)\b|"
    r"\s[-–|]\s.*\b(photo|guide|images?|department|wikimedia|archive)\b)",
    re.I,
)
SENTENCE_END_RE = re.compile(r"[.!;][\"'”’)\]]*$")
END_MATTER_KINDS = frozenset({"bio", "social"})
MAX_HEADING_WORDS = 16
MAX_CAPTION_WORDS = 20


def _words(text: str) -> int:
    return len(text.split())


def repeated_short_lines(blocks: list[str]) -> set[str]:
    """Short lines that occur more than once: scrapers repeat image captions and alt texts."""
    counts = Counter(b.strip() for b in blocks if 0 < _words(b) <= MAX_CAPTION_WORDS)
    return {text for text, count in counts.items() if count > 1 and not SENTENCE_END_RE.search(text)}


def split_glued_caption(block: str, captions: set[str]) -> list[str]:
    """A paragraph with a known caption glued to its end by the scraper, as two blocks."""
    stripped = block.strip()
    for caption in sorted(captions, key=len, reverse=True):
        if stripped != caption and stripped.endswith(" " + caption):
            return [stripped[: -len(caption)].rstrip(), caption]
    return [block]


def classify_block(block: str, captions: set[str]) -> str:
    """The kind of one block: 'body' or a furniture kind."""
    text = block.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    if TOC_RE.match(text):
        return "toc"
    if not any(char.isalpha() for char in text):
        return "boilerplate"
    if BIO_START_RE.match(text) or (BYLINE_RE.match(text) and len(lines) == 1):
        return "bio"
    if all(SOCIAL_RE.match(line.strip()) or URL_ONLY_RE.match(line) for line in lines):
        return "social"
    if (
        lines
        and all(KEY_VALUE_RE.match(line) or BULLET_RE.match(line) for line in lines)
        and any(KEY_VALUE_RE.match(line) for line in lines)
    ):
        return "bio"
    if text in captions:
        return "caption"
    if len(lines) == 1 and _words(text) <= MAX_CAPTION_WORDS and CAPTION_CUE_RE.search(text):
        return "caption"
    if len(lines) == 1 and _words(text) <= MAX_HEADING_WORDS and not SENTENCE_END_RE.search(text):
        return "heading"
    if _words(text) <= 60 and BIO_SENTENCE_RE.search(text) and not re.search(r"\bsaid\b", text):
        return "bio"
    return "body"


def classify_blocks(blocks: list[str], preset: list[str | None] | None = None) -> list[str]:
    """Kinds for a whole article's blocks.

    ``preset`` carries kinds already known from markup (a Markdown heading or image line).
    Once an author bio or a social-links block follows the body, the rest of the page is
    end matter: everything after it is furniture too.
    """
    captions = repeated_short_lines(blocks)
    kinds: list[str] = []
    end_matter: str | None = None
    seen_body = False
    for index, block in enumerate(blocks):
        known = preset[index] if preset else None
        kind = known or classify_block(block, captions)
        if end_matter and kind == "body":
            kind = end_matter
        if kind in END_MATTER_KINDS and seen_body and _is_end_matter_marker(block):
            end_matter = kind
        seen_body = seen_body or kind == "body"
        kinds.append(kind)
    return kinds


def _is_end_matter_marker(block: str) -> bool:
    text = block.strip()
    return bool(BIO_START_RE.match(text) or re.match(r"^(socials?|follow us)\b", text, re.I))
