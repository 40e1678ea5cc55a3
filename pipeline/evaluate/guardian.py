"""Load the real-news gold: whole Guardian articles, every sentence annotated.

The files in ``corpora/guardian/`` hold references only: an article id, a sentence's
character offsets into that article's text and the SHA-1 of the sentence, plus the short
mentions an annotator wrote. The text itself stays in the shared corpus
(``../shared/corpora/guardian-syria/articles.jsonl``); every reference is checked against it
so that a missing or changed corpus fails loudly instead of scoring the wrong sentences.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import get_args

from pipeline import STANCE_LABELS
from pipeline.evaluate.devset import FLAGS, GoldStatement, sha1
from pipeline.evaluate.errors import DevSetError
from pipeline.output.records import ActorType
from pipeline.paths import CORPORA_DIR

GUARDIAN_DIR = CORPORA_DIR / "guardian"
SPLITS = ("train", "dev", "test")
CORPUS_FILE = Path("guardian-syria") / "articles.jsonl"
NONE_REASONS = frozenset({"event", "background", "reporter", "private", "furniture", "fragment"})
ACTOR_TYPES = frozenset(get_args(ActorType))


class GuardianCorpusError(DevSetError):
    """The Guardian gold or the shared corpus it points into is missing, malformed or changed."""


@dataclass(frozen=True)
class GoldSentence:
    article: str
    index: int
    start: int
    end: int
    text: str
    statements: tuple[GoldStatement, ...]
    none: str | None  # why a sentence holds no statement (annotation guide, section 2)


@dataclass(frozen=True)
class GoldArticle:
    id: str
    split: str
    published: str | None
    text: str
    sentences: tuple[GoldSentence, ...]


@cache
def _corpus(path: Path, stamp: tuple[int, int]) -> dict[str, dict]:
    """Parsed once per process and version of the file (``stamp``: its mtime and size)."""
    articles = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.strip():
            try:
                row = json.loads(raw)
                if not isinstance(row.get("text"), str):
                    raise TypeError("no text")
                articles[row["id"]] = row
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                raise GuardianCorpusError(f"{path}:{number}: not an article line ({exc})") from exc
    return articles


def shared_articles(shared_root: Path) -> dict[str, dict]:
    """The shared Guardian articles by id; a clear error when the file is not there."""
    path = (shared_root / CORPUS_FILE).resolve()
    if not path.is_file():
        raise GuardianCorpusError(
            f"the Guardian corpus {path} is missing: the gold in corpora/guardian refers into it "
            "(run from a checkout beside ../shared, or pass --shared)"
        )
    status = path.stat()
    return _corpus(path, (status.st_mtime_ns, status.st_size))


def read_split(corpus_dir: Path) -> dict[str, dict]:
    """``split.json``: per article its split, the SHA-1 of its text and its sentence count."""
    path = corpus_dir / "split.json"
    if not path.is_file():
        raise GuardianCorpusError(f"{path}: the split file is missing")
    try:
        articles = json.loads(path.read_text(encoding="utf-8"))["articles"]
        for article_id, entry in articles.items():
            if entry.get("split") not in SPLITS:
                raise GuardianCorpusError(
                    f"{path}: article {article_id} has unknown split {entry.get('split')!r}"
                )
            if not isinstance(entry.get("sha1"), str) or not isinstance(entry.get("sentences"), int):
                raise GuardianCorpusError(f"{path}: article {article_id} lacks its sha1 or sentence count")
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise GuardianCorpusError(f"{path}: malformed split file ({exc})") from exc
    return articles


def _contains_words(text: str, words: str) -> bool:
    """``words`` occur in ``text`` and do not begin or end inside a longer word."""
    if not words:
        return False
    before = r"(?<!\w)" if words[0].isalnum() else ""
    after = r"(?!\w)" if words[-1].isalnum() else ""
    return re.search(before + re.escape(words) + after, text) is not None


def _statement(obj: dict, text: str, where: str) -> GoldStatement:
    if obj.get("stance") not in STANCE_LABELS:
        raise GuardianCorpusError(f"{where}: unknown stance {obj.get('stance')!r}")
    if obj.get("holder_type") not in ACTOR_TYPES:
        raise GuardianCorpusError(f"{where}: unknown holder type {obj.get('holder_type')!r}")
    if not set(obj.get("flags") or ()) <= set(FLAGS):
        raise GuardianCorpusError(f"{where}: unknown flags {obj.get('flags')!r}")
    if not isinstance(obj.get("holder"), str) or not obj["holder"].strip():
        raise GuardianCorpusError(f"{where}: a gold statement needs a holder")
    for key in ("holder_mention", "speaker_mention", "target_mention", "cue"):
        value = obj.get(key)
        if value is not None and not _contains_words(text, value):
            raise GuardianCorpusError(f"{where}: {key} {value!r} is not in the referenced sentence")
    try:
        return GoldStatement(
            holder=obj["holder"],
            holder_mention=obj.get("holder_mention"),  # null: the sentence has no word for the holder
            holder_country=obj.get("holder_country"),
            holder_type=obj["holder_type"],
            speaker=obj.get("speaker"),
            target=obj.get("target"),
            target_country=obj.get("target_country"),
            stance=obj["stance"],
            flags=tuple(obj.get("flags") or ()),
            affiliation=obj.get("affiliation"),
            affiliation_country=obj.get("affiliation_country"),
            speaker_mention=obj.get("speaker_mention"),
            target_mention=obj.get("target_mention"),
            cue=obj.get("cue"),
        )
    except KeyError as exc:
        raise GuardianCorpusError(f"{where}: gold statement lacks {exc}") from exc


def read_sentences(path: Path, texts: dict[str, str]) -> dict[str, list[GoldSentence]]:
    """Every sentence line of one annotation file, by article, each checked against its text."""
    if not path.is_file():
        raise GuardianCorpusError(f"{path}: annotation file is missing")
    by_article: dict[str, list[GoldSentence]] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            line = json.loads(raw)
            article_id, start, end = line["article"], int(line["start"]), int(line["end"])
            index = int(line["sentence"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise GuardianCorpusError(f"{where}: malformed line ({exc})") from exc
        if article_id not in texts:
            raise GuardianCorpusError(f"{where}: article {article_id} is not in the split file or the corpus")
        text = texts[article_id]
        if not 0 <= start < end <= len(text):
            raise GuardianCorpusError(f"{where}: offsets {start}-{end} outside article {article_id}")
        sentence = text[start:end]
        if sha1(sentence) != line.get("sha1"):
            raise GuardianCorpusError(f"{where}: the referenced sentence changed (SHA-1 mismatch)")
        statements = tuple(_statement(s, sentence, where) for s in line.get("statements") or ())
        reason = line.get("none")
        if bool(statements) == (reason is not None) or (reason is not None and reason not in NONE_REASONS):
            raise GuardianCorpusError(f"{where}: a sentence needs statements or one 'none' reason")
        by_article.setdefault(article_id, []).append(
            GoldSentence(article_id, index, start, end, sentence, statements, reason)
        )
    return by_article


def _complete(article_id: str, rows: list[GoldSentence], expected: int) -> list[GoldSentence]:
    """The article's sentences in order, refused unless each of the ``expected`` sentences has
    exactly one decision and their spans follow each other without overlapping."""
    rows = sorted(rows, key=lambda s: s.index)
    if [s.index for s in rows] != list(range(expected)):
        raise GuardianCorpusError(
            f"article {article_id}: {len(rows)} sentences annotated, the split file says "
            f"{expected} (every sentence must have exactly one decision)"
        )
    for previous, current in pairwise(rows):
        if current.start < previous.end:
            raise GuardianCorpusError(
                f"article {article_id}: sentence {current.index} overlaps or precedes "
                f"sentence {previous.index}"
            )
    return rows


def _verified_texts(split: dict[str, dict], corpus: dict[str, dict]) -> dict[str, str]:
    texts = {}
    for article_id, entry in split.items():
        if article_id not in corpus:
            raise GuardianCorpusError(f"article {article_id} is not in the shared Guardian corpus")
        text = corpus[article_id]["text"]
        if sha1(text) != entry["sha1"]:
            raise GuardianCorpusError(f"article {article_id} changed in the shared corpus (SHA-1 mismatch)")
        texts[article_id] = text
    return texts


def load_guardian(corpus_dir: Path, shared_root: Path, splits: Iterable[str] = SPLITS) -> list[GoldArticle]:
    """The annotated articles of ``splits``, in split-file order, every reference verified."""
    wanted = tuple(splits)
    unknown = set(wanted) - set(SPLITS)
    if unknown:
        raise GuardianCorpusError(f"unknown split(s) {sorted(unknown)}; choose from {SPLITS}")
    split = read_split(corpus_dir)
    corpus = shared_articles(shared_root)
    texts = _verified_texts(split, corpus)
    articles = []
    for name in wanted:
        sentences = read_sentences(corpus_dir / "gold" / f"{name}.jsonl", texts)
        for article_id, entry in split.items():
            if entry["split"] != name:
                continue
            rows = _complete(article_id, sentences.pop(article_id, []), entry["sentences"])
            articles.append(
                GoldArticle(
                    article_id, name, corpus[article_id].get("published"), texts[article_id], tuple(rows)
                )
            )
        if sentences:
            raise GuardianCorpusError(f"gold/{name}.jsonl has articles of another split: {sorted(sentences)}")
    return articles


def split_summary(corpus_dir: Path) -> dict[str, dict[str, int]]:
    """Articles and sentences per split, and in all."""
    summary = {name: {"articles": 0, "sentences": 0} for name in SPLITS}
    for entry in read_split(corpus_dir).values():
        summary[entry["split"]]["articles"] += 1
        summary[entry["split"]]["sentences"] += entry["sentences"]
    summary["all"] = {key: sum(summary[name][key] for name in SPLITS) for key in ("articles", "sentences")}
    return summary


def load_passes(corpus_dir: Path, shared_root: Path) -> tuple[dict, dict]:
    """The two independent passes over the double-annotated articles (before adjudication)."""
    split = read_split(corpus_dir)
    texts = _verified_texts(split, shared_articles(shared_root))
    folder = corpus_dir / "agreement"
    passes = []
    for name in ("first", "second"):
        by_article = read_sentences(folder / f"{name}.jsonl", texts)
        passes.append({a: _complete(a, rows, split[a]["sentences"]) for a, rows in by_article.items()})
    if set(passes[0]) != set(passes[1]):
        raise GuardianCorpusError(f"{folder}: the two passes cover different articles")
    return passes[0], passes[1]
