"""Training and evaluation examples from the Guardian gold: one row per candidate mention.

Each article is cleaned and parsed exactly as a run does; every candidate of every sentence gets
its feature row and its gold labels: the stances it holds (one per label, several where the
holder has statements of different stances), and whether it is a statement's target or speaker.
A gold mention labels the candidate whose words overlap it and whose head lies inside it (or
that lies inside it).
"""

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import STANCE_LABELS
from pipeline.actors.mentions import actor_by_token, to_actor
from pipeline.attribution.candidates import Mention, chunks_by_sentence, linked_by_sentence, sentence_mentions
from pipeline.attribution.encoder import EncodedSentence, SentenceEncoder
from pipeline.attribution.features import (
    CATEGORICAL,
    RuleVotes,
    categorical,
    char_ranges,
    marker_types,
    mention_vectors,
)
from pipeline.attribution.marker import TokenRows
from pipeline.attribution.model import LABELS
from pipeline.evaluate.devset import GoldStatement
from pipeline.evaluate.guardian import GoldArticle, GoldSentence
from pipeline.evaluate.guardian_scoring import clean_articles, holder_matches
from pipeline.extract import BodyMap, body_doc
from pipeline.ingest import CleanArticle, InputError
from pipeline.output.records import Actor


@dataclass
class SentenceRows:
    """The candidates of one parsed sentence, placed in a gold sentence."""

    article: int
    gold_sentence: int
    sentence: Span
    mentions: list[Mention]
    start: int  # first row in the feature matrix
    holders: list[list[Actor]] = field(default_factory=list)  # per mention: who it stands for
    reading: EncodedSentence | None = None  # the encoder's token vectors, where ``build`` keeps them


@dataclass
class Examples:
    features: numpy.ndarray
    labels: numpy.ndarray  # (rows, len(LABELS)) of 0/1
    groups: numpy.ndarray  # article index per row
    sentences: list[SentenceRows]
    skipped: list[str]


def _ranges(text: str, words: str | None, offset: int) -> list[tuple[int, int]]:
    if not words:
        return []
    pattern = re.compile(r"(?<!\w)" + re.escape(words) + r"(?!\w)")
    found = [(m.start() + offset, m.end() + offset) for m in pattern.finditer(text)]
    if not found:
        found = [(m.start() + offset, m.end() + offset) for m in re.finditer(pattern.pattern, text, re.I)]
    return found


def _covers(mention: tuple[int, int, int], gold: tuple[int, int]) -> bool:
    start, end, head = mention
    return (gold[0] <= head < gold[1]) or (gold[0] <= start and end <= gold[1])


def mention_chars(doc: Doc, mention: Mention, body_map: BodyMap) -> tuple[int, int, int]:
    """Article offsets of the mention's start, end and head word."""
    first, last, head = doc[mention.start], doc[mention.end - 1], doc[mention.head]
    return (
        body_map.to_article(first.idx),
        body_map.to_article(last.idx + len(last.text) - 1) + 1,
        body_map.to_article(head.idx),
    )


def labels_for(
    sentence: GoldSentence, chars: tuple[int, int, int], antecedent: Sequence[Actor] | None = None
) -> list[float]:
    """A candidate's labels from the gold mentions its words cover. A pronoun's antecedent option
    (``antecedent``: who it stands for under that option) holds a gold statement only where the
    scorer matches it to the statement's holder."""
    row = [0.0] * len(LABELS)
    for gold in sentence.statements:
        if any(_covers(chars, r) for r in _ranges(sentence.text, gold.holder_mention, sentence.start)) and (
            antecedent is None or _held_by(gold, antecedent)
        ):
            row[STANCE_LABELS.index(gold.stance)] = 1.0
        if any(_covers(chars, r) for r in _ranges(sentence.text, gold.target_mention, sentence.start)):
            row[LABELS.index("target")] = 1.0
        if any(_covers(chars, r) for r in _ranges(sentence.text, gold.speaker_mention, sentence.start)):
            row[LABELS.index("speaker")] = 1.0
    return row


def quoted_labels(sentence: GoldSentence, actors: Sequence[Actor]) -> list[float]:
    """A quote's speaker named in another sentence (kind 'quoted') holds each gold statement of
    this sentence whose holder it is, by the scorer's own holder match."""
    row = [0.0] * len(LABELS)
    for gold in sentence.statements:
        if _held_by(gold, actors):
            row[STANCE_LABELS.index(gold.stance)] = 1.0
    return row


def _held_by(gold: GoldStatement, actors: Sequence[Actor]) -> bool:
    """One of ``actors`` is the gold statement's holder, by the scorer's own holder match."""
    return any(holder_matches(gold, actor) for actor in actors)


def holders(doc: Doc, mention: Mention) -> list[Actor]:
    """Who a mention stands for: its actor, a pronoun's antecedent(s), none when unresolved."""
    words = mention.span(doc).text
    return [to_actor(entry, words) for entry in mention.stands_for()]


def parse(articles: Sequence[GoldArticle], nlp: Language) -> Iterable[tuple[int, Doc, BodyMap] | str]:
    """Each article cleaned and parsed as a run does; an article whose cleaning changed its text
    cannot be aligned to the gold offsets and is named instead."""
    usable: list[tuple[int, CleanArticle]] = []
    for index, article in enumerate(articles):
        try:
            (clean,) = clean_articles([article])
        except InputError:  # a short written sentence the cleaner takes for a heading
            yield article.id
            continue
        if clean.text != article.text:
            yield article.id
            continue
        usable.append((index, clean))
    prepared = [body_doc(nlp, clean) for _, clean in usable]
    docs = nlp.pipe((doc for doc, _ in prepared), batch_size=16)
    for (index, _), (_, body_map), doc in zip(usable, prepared, docs, strict=True):
        yield index, doc, body_map


def _pending(articles: Sequence[GoldArticle], nlp: Language, rules: bool) -> tuple[list, list[str]]:
    pending: list[tuple[SentenceRows, RuleVotes | None, list[list[float]]]] = []
    skipped: list[str] = []
    for item in parse(articles, nlp):
        index, doc, body_map = item if not isinstance(item, str) else (None, None, item)
        if isinstance(body_map, str):
            skipped.append(body_map)
            continue
        article = articles[index]
        by_token = actor_by_token(doc)
        actors = list(doc._.actors or ())
        candidates = list(doc._.statement_candidates or ())
        chunks = chunks_by_sentence(doc)
        quotes = doc._.quotes or ()
        found = [
            (sentence, mentions)
            for sentence in doc.sents
            if (mentions := sentence_mentions(doc, sentence, actors, by_token, chunks, quotes))
        ]
        linked = linked_by_sentence([mentions for _, mentions in found])  # as inference links them
        for (sentence, _), mentions in zip(found, linked, strict=True):
            start = body_map.to_article(sentence.start_char)
            gold = max(
                article.sentences,
                key=lambda g: min(g.end, start + len(sentence.text)) - max(g.start, start),
            )
            inside = [c for c in candidates if c.sent_start == sentence.start]
            votes = RuleVotes.from_candidates(inside) if rules else None
            rows_here = SentenceRows(index, gold.index, sentence, mentions, 0)
            rows_here.holders = [holders(doc, m) for m in mentions]
            labels = [
                quoted_labels(gold, actors)
                if m.kind == "quoted"
                else labels_for(gold, mention_chars(doc, m, body_map), actors if m.option >= 0 else None)
                for m, actors in zip(mentions, rows_here.holders, strict=True)
            ]
            pending.append((rows_here, votes, labels))
    return pending, skipped


@dataclass
class Parsed:
    """Articles parsed, their candidates found and labelled: everything but the encoder's readings
    (``prepare``), so that several encoders can read the same parse (``assemble``)."""

    pending: list[tuple[SentenceRows, RuleVotes | None, list[list[float]]]]
    skipped: list[str]

    def groups(self) -> numpy.ndarray:
        """The article index of every candidate row."""
        return numpy.asarray(
            [rows.article for rows, _, _ in self.pending for _ in rows.mentions], dtype=numpy.int64
        )

    def adapter_rows(self) -> tuple[list[str], list[tuple[int, tuple]], numpy.ndarray, numpy.ndarray]:
        """What an encoder adapter trains on (``adapter.fit_adapter``): the sentences' texts and,
        per candidate row, its sentence and character ranges (span, head word, predicate), its
        categorical features and its labels."""
        texts, ranges, extra, labels = [], [], [], []
        for rows_here, _, sentence_labels in self.pending:
            sentence = rows_here.sentence
            text = sentence.text
            for mention in rows_here.mentions:
                ranges.append((len(texts), char_ranges(sentence, mention)))
                extra.append(categorical(sentence, mention, len(rows_here.mentions), text))
            texts.append(text)
            labels.extend(sentence_labels)
        return (
            texts,
            ranges,
            numpy.asarray(extra, dtype=numpy.float32).reshape(len(ranges), CATEGORICAL),
            numpy.asarray(labels, dtype=numpy.float32).reshape(len(ranges), len(LABELS)),
        )


def prepare(articles: Sequence[GoldArticle], nlp: Language, rules: bool = True) -> Parsed:
    return Parsed(*_pending(articles, nlp, rules))


def build(
    articles: Sequence[GoldArticle],
    nlp: Language,
    encoder: SentenceEncoder,
    rules: bool = True,
    keep_readings: bool = False,
) -> Examples:
    """``keep_readings``: each sentence keeps its token vectors (``SentenceRows.reading``), for
    heads that read the tokens themselves rather than the feature rows' means."""
    return assemble(prepare(articles, nlp, rules), encoder, keep_readings)


def assemble(parsed: Parsed, encoder: SentenceEncoder, keep_readings: bool = False) -> Examples:
    """The feature rows of a parse, read by ``encoder``."""
    rows, labels, sentences = [], [], []
    pending, skipped = parsed.pending, parsed.skipped
    encoded = encoder.encode([p[0].sentence.text for p in pending])
    position = 0
    for (sentence_rows, votes, sentence_labels), reading in zip(pending, encoded, strict=True):
        vectors = mention_vectors(sentence_rows.sentence, sentence_rows.mentions, reading, votes)
        sentence_rows.start = position
        if keep_readings:
            sentence_rows.reading = reading
        position += len(vectors)
        rows.append(vectors)
        labels.extend(sentence_labels)
        sentences.append(sentence_rows)
    return Examples(
        numpy.concatenate(rows) if rows else numpy.zeros((0, 0), dtype=numpy.float32),
        numpy.asarray(labels, dtype=numpy.float32),
        parsed.groups(),
        sentences,
        skipped,
    )


def token_rows(examples: Examples) -> TokenRows:
    """The marked-token reader's input for every feature row (``build`` with ``keep_readings``)."""
    tokens = TokenRows.empty()
    for rows in examples.sentences:
        if rows.reading is None:
            raise ValueError("token rows need the encoder's readings: build(..., keep_readings=True)")
        tokens.add(rows.reading.states, marker_types(rows.sentence, rows.mentions, rows.reading))
    return tokens


def team_articles(folder: Path, held_out: Sequence[str] = ()) -> list[GoldArticle]:
    """The team's written sentences (``corpora/training/stance-v1``) as one-sentence gold
    articles: every row of the same text is one statement of that sentence (holder, target,
    stance), so the other candidates of the sentence are its negatives. Whole batches in
    ``held_out`` are left out (the classifier's held-out batches stay unseen)."""
    by_text: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        if path.stem in held_out:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_text.setdefault(row["text"], []).append(row)
    articles = []
    for number, (text, rows) in enumerate(by_text.items()):
        statements = tuple(
            GoldStatement(
                holder=row["holder"],
                holder_mention=row["holder"],
                holder_country=None,
                holder_type="state",
                speaker=None,
                target=row.get("target"),
                target_country=None,
                stance=row["label"],
                flags=(),
                target_mention=row.get("target"),
            )
            for row in rows
        )
        article_id = f"team-{number}"
        sentence = GoldSentence(article_id, 0, 0, len(text), text, statements, None)
        articles.append(GoldArticle(article_id, "team", None, text, (sentence,)))
    return articles
