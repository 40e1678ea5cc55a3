"""A candidate's feature vector: what the encoder read at it, plus its syntax and the rules' vote.

Vectors (each the encoder's hidden size): the mention's pieces, its head word, the predicate it
depends on (the likely cue) and the whole sentence. Then a few categorical features: candidate
kind, entity label, dependency role, actor type, whether the predicate is a reporting or stance
verb and negated, whether the mention sits inside a quotation, and whether the dependency rules
named it holder, speaker or target (left out with ``rules=False``, to measure the model alone).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy
from spacy.tokens import Span, Token

from pipeline.attribution.candidates import ENTITY_LABELS, KINDS, Mention
from pipeline.attribution.encoder import EncodedSentence
from pipeline.attribution.marker import CANDIDATE, PREDICATE
from pipeline.statements.candidates import Candidate
from pipeline.statements.extract import is_first_person
from pipeline.statements.lexicon import EPISTEMIC_VERBS, NEGATION_WORDS, REPORTING_VERBS, STANCE_VERBS

DEPS = ("nsubj", "nsubjpass", "dobj", "pobj", "poss", "appos", "conj", "compound", "attr", "dative", "ROOT")
TYPES = ("state", "person", "organization", "group", "armed_group")
QUOTES = frozenset('"“”')
OPTIONS = 4  # a pronoun's antecedent options, by rank
LINK_FEATURES = OPTIONS + 5
CATEGORICAL = (
    len(KINDS) + (len(ENTITY_LABELS) + 1) + (len(DEPS) + 1) + (len(TYPES) + 1) + 1 + 10 + LINK_FEATURES
)
RULE_FEATURES = 4


@dataclass(frozen=True)
class RuleVotes:
    """What the dependency rules said about each token: holder, speaker, target."""

    holders: frozenset[int]
    speakers: frozenset[int]
    targets: frozenset[int]

    @classmethod
    def from_candidates(cls, candidates: Sequence[Candidate]) -> "RuleVotes":
        holders, speakers, targets = set(), set(), set()
        for c in candidates:
            if c.holder is not None and c.pronoun is None:
                holders.update(range(c.holder.start, c.holder.end))
            holders.add(c.holder_token)
            if c.speaker is not None:
                speakers.update(range(c.speaker.start, c.speaker.end))
            if c.target is not None:
                targets.update(range(c.target.start, c.target.end))
        return cls(frozenset(holders), frozenset(speakers), frozenset(targets))


def predicate(token: Token) -> Token | None:
    """The verb the mention depends on: the statement's likely cue."""
    for _ in range(6):
        if token.pos_ in ("VERB", "AUX") and token.dep_ != "aux":
            return token
        if token.head is token:
            return None
        token = token.head
    return None


def _negated(verb: Token | None) -> bool:
    return verb is not None and any(c.dep_ == "neg" or c.lower_ in NEGATION_WORDS for c in verb.children)


def _in_quote(sentence: Span, token: Token, text: str) -> bool:
    """``text``: the sentence's text, read once by the caller (Span.text joins its tokens anew)."""
    before = text[: token.idx - sentence.start_char]
    return sum(ch in QUOTES for ch in before) % 2 == 1


def _one_hot(value: str, values: Sequence[str]) -> list[float]:
    vector = [0.0] * (len(values) + 1)
    vector[values.index(value) if value in values else len(values)] = 1.0
    return vector


def categorical(sentence: Span, mention: Mention, count: int, text: str) -> list[float]:
    doc = sentence.doc
    head = doc[mention.head]
    verb = predicate(head)
    lemma = verb.lemma_.lower() if verb is not None else ""
    entry_type = mention.entry.type if mention.entry is not None else ""
    subject = head.dep_ in ("nsubj", "nsubjpass") or (head.dep_ == "pobj" and head.head.dep_ == "agent")
    return [
        *[float(mention.kind == k) for k in KINDS],
        *_one_hot(head.ent_type_, ENTITY_LABELS),
        *_one_hot(head.dep_, DEPS),
        *_one_hot(entry_type, TYPES),
        float(mention.entry is not None),
        float(lemma in REPORTING_VERBS),
        float(lemma in STANCE_VERBS),
        float(lemma in EPISTEMIC_VERBS),
        float(_negated(verb)),
        float(subject),
        float(_in_quote(sentence, head, text)),
        max(-1.0, (mention.start - sentence.start) / max(len(sentence), 1)),  # a quote's speaker: before
        min(len(sentence), 100) / 100,
        min(mention.end - mention.start, 10) / 10,
        min(count, 10) / 10,
        *link_features(sentence, mention),
    ]


def link_features(sentence: Span, mention: Mention) -> list[float]:
    """A pronoun's antecedent option (zeros for any other mention): its rank, whether the
    antecedent (its nearest member) is a clause's subject and a reporting verb's, in the same
    sentence, how far back, and how often its actor was named before."""
    if mention.option < 0:
        return [0.0] * LINK_FEATURES
    doc = sentence.doc
    nearest = max(mention.antecedents, key=lambda m: m.start)
    head = doc[nearest.head]
    verb = predicate(head)
    subject = head.dep_ in ("nsubj", "nsubjpass")
    key = nearest.entry.key
    named = sum(1 for m in doc._.actors or () if m.start < mention.start and m.entry.key == key)
    return [
        *[float(min(mention.option, OPTIONS - 1) == k) for k in range(OPTIONS)],
        float(subject),
        float(subject and verb is not None and verb.lemma_.lower() in REPORTING_VERBS),
        float(nearest.start >= sentence.start),
        min(max(mention.head - nearest.end, 0), 200) / 200,
        min(named, 5) / 5,
    ]


def rule_features(mention: Mention, votes: RuleVotes, doc_token: Token) -> list[float]:
    tokens = range(mention.start, mention.end)
    return [
        float(any(i in votes.holders for i in tokens)),
        float(any(i in votes.speakers for i in tokens)),
        float(any(i in votes.targets for i in tokens)),
        float(is_first_person(doc_token)),
    ]


def mention_vectors(
    sentence: Span, mentions: Sequence[Mention], encoded: EncodedSentence, votes: RuleVotes | None
) -> numpy.ndarray:
    """One row per mention: encoder readings, then categorical features, then rule votes."""
    doc = sentence.doc
    whole = encoded.sentence_mean()
    text = sentence.text
    zero = numpy.zeros_like(whole)
    read: dict[tuple[int, int, int], list[numpy.ndarray]] = {}  # a pronoun's options share its words
    rows = []
    for mention in mentions:
        head = doc[mention.head]
        where = (mention.start, mention.end, mention.head)
        if where not in read:
            words, head_word, verb = char_ranges(sentence, mention)
            at_span, at_head = encoded.mean(*words), encoded.mean(*head_word)
            at_verb = encoded.mean(*verb) if verb is not None else None
            read[where] = [v if v is not None else zero for v in (at_span, at_head, at_verb)]
        parts = [
            *read[where],
            whole,
            numpy.asarray(categorical(sentence, mention, len(mentions), text), dtype=numpy.float32),
        ]
        if votes is not None:
            parts.append(numpy.asarray(rule_features(mention, votes, head), dtype=numpy.float32))
        rows.append(numpy.concatenate(parts).astype(numpy.float32))
    width = 4 * whole.shape[0] + CATEGORICAL + (RULE_FEATURES if votes is not None else 0)
    return numpy.stack(rows) if rows else numpy.zeros((0, width), dtype=numpy.float32)


def marker_types(
    sentence: Span, mentions: Sequence[Mention], reading: EncodedSentence
) -> list[numpy.ndarray]:
    """Per candidate, a type per word piece of the sentence: its own words, its predicate's, other
    (a candidate with no words in the sentence, a quote's speaker named elsewhere, marks none)."""
    found = []
    for mention in mentions:
        words, _, verb = char_ranges(sentence, mention)
        types = numpy.zeros(len(reading.offsets), dtype=numpy.int64)
        if verb is not None:
            types[reading.pieces(*verb)] = PREDICATE
        types[reading.pieces(*words)] = CANDIDATE
        found.append(types)
    return found


def char_ranges(
    sentence: Span, mention: Mention
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int] | None]:
    """Character ranges, within the sentence, of the mention's words, its head word and the
    predicate it depends on (None where it has none): what the encoder's pieces are read at."""
    doc, base = sentence.doc, sentence.start_char
    span, head = mention.span(doc), doc[mention.head]
    verb = predicate(head)
    return (
        (span.start_char - base, span.end_char - base),
        (head.idx - base, head.idx + len(head.text) - base),
        (verb.idx - base, verb.idx + len(verb.text) - base) if verb is not None else None,
    )
