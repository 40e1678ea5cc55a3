"""Inference: candidates of every sentence scored by the attribution model, decoded into statements.

A candidate holds a statement when the model's chance that it holds any stance reaches the
model's threshold (chosen by cross-validation on the training articles); its stance is the label
it scores highest. A pronoun is one candidate per antecedent it may have, and only the likeliest
of them may hold, for that antecedent (one statement per member of a resolved group). Cue,
speaker, target and the negated/conditional/hedged flags come from the dependency rules where
they read the same holder; otherwise the cue is the predicate the holder depends on and the
target the candidate the model scores highest as target.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from itertools import groupby

import numpy
from spacy.tokens import Doc, Span

from pipeline import STANCE_LABELS
from pipeline.actors.mentions import ActorMention, actor_by_token
from pipeline.attribution.bases import base_dir
from pipeline.attribution.candidates import (
    Mention,
    chunks_by_sentence,
    holding,
    linked_by_sentence,
    sentence_mentions,
)
from pipeline.attribution.config import AttributionConfig
from pipeline.attribution.encoder import EncodedSentence, SentenceEncoder
from pipeline.attribution.features import RuleVotes, marker_types, mention_vectors, predicate
from pipeline.attribution.marker import TokenRows
from pipeline.attribution.model import LABELS, AttributionMetadata, AttributionModel
from pipeline.attribution.runtime import OnnxEncoder, cache_dir
from pipeline.offline import ensure_offline
from pipeline.stance.classifier import StancePrediction, pick_device
from pipeline.statements.candidates import Candidate
from pipeline.statements.extract import is_first_person, is_reader_prompt
from pipeline.statements.syntax import cue_words, is_conditional, is_hedged, is_negated, predicate_chain

TARGET, SPEAKER = LABELS.index("target"), LABELS.index("speaker")
ROLE_THRESHOLD = 0.5
SCORE_DECIMALS = 4


@dataclass
class Attributed:
    candidate: Candidate
    holder: ActorMention
    holder_mention: str
    sentence: Span
    sentence_index: int
    prediction: StancePrediction


@dataclass
class Job:
    """Docs prepared for the encoder: per sentence with candidates (doc, sentence index, sentence,
    mentions, the rules' candidates in it), and the sentence texts to encode."""

    docs: int
    authors: list[ActorMention | None]
    pending: list[tuple[int, int, Span, list[Mention], list[Candidate]]]
    texts: list[str]


class Attributor:
    """The encoder and the trained head, loaded once per process."""

    def __init__(self, config: AttributionConfig) -> None:
        ensure_offline()
        self.config = config
        self.model = AttributionModel.load(config.model_dir)
        self.encoder = make_encoder(config, self.model.metadata)

    @property
    def tag(self) -> str:
        return self.model.tag

    def attribute(
        self, docs: Sequence[Doc], authors: Sequence[ActorMention | None]
    ) -> list[list[Attributed]]:
        """Statements per Doc, in sentence order."""
        job = self.prepare(docs, authors)
        return self.finish(job, self.encode(job))

    # ``attribute`` in three steps, so that a caller can encode one group of Docs (ONNX Runtime
    # releases the GIL) while it parses the next: ``prepare`` and ``finish`` need the GIL.

    def prepare(self, docs: Sequence[Doc], authors: Sequence[ActorMention | None]) -> "Job":
        """Each sentence's candidates (sentences without one are never encoded)."""
        pending = []
        for d, doc in enumerate(docs):
            by_token = actor_by_token(doc)
            actors = list(doc._.actors or ())
            rules = list(doc._.statement_candidates or ())
            chunks = chunks_by_sentence(doc)
            quotes = doc._.quotes or ()
            found_here = []
            for index, sentence in enumerate(doc.sents):
                if is_reader_prompt(sentence):  # page furniture inside the body, as the rules skip it
                    continue
                mentions = sentence_mentions(doc, sentence, actors, by_token, chunks, quotes)
                if mentions:
                    inside = [c for c in rules if c.sent_start == sentence.start]
                    found_here.append((d, index, sentence, mentions, inside))
            linked = linked_by_sentence([item[3] for item in found_here])
            pending.extend(
                (d, index, sentence, mentions, inside)
                for (d, index, sentence, _, inside), mentions in zip(found_here, linked, strict=True)
            )
        return Job(len(docs), list(authors), pending, [p[2].text for p in pending])

    def encode(self, job: "Job") -> list[EncodedSentence]:
        """The encoder's readings of the job's sentences; reads no spaCy object."""
        return self.encoder.encode(job.texts)

    def finish(self, job: "Job", readings: Sequence[EncodedSentence]) -> list[list[Attributed]]:
        """Candidate features, the head's scores and the decoded statements per Doc."""
        vectors, types = [], []
        marked = self.model.metadata.marker > 0
        for (_, _, sentence, mentions, inside), reading in zip(job.pending, readings, strict=True):
            votes = RuleVotes.from_candidates(inside) if self.model.metadata.rules else None
            vectors.append(mention_vectors(sentence, mentions, reading, votes))
            types.append(marker_types(sentence, mentions, reading) if marked else [])
        # the head scores each Doc's candidates together: a matrix product's rounding depends on its
        # row count, so scoring the whole job at once let other articles move an article's scores
        # (per sentence, the overhead outweighed the work)
        bounds = numpy.cumsum([0] + [len(v) for v in vectors])
        scores = numpy.zeros((bounds[-1], len(self.model.metadata.labels)), dtype=numpy.float32)
        k = 0
        for _, items in groupby(job.pending, key=lambda item: item[0]):  # a Doc's sentences are consecutive
            n = len(list(items))
            tokens = None
            if marked:
                tokens = TokenRows.empty()
                for reading, sentence_types in zip(readings[k : k + n], types[k : k + n], strict=True):
                    tokens.add(reading.states, sentence_types)
            scores[bounds[k] : bounds[k + n]] = self.model.scores(
                numpy.concatenate(vectors[k : k + n]), tokens
            )
            k += n
        found: list[list[Attributed]] = [[] for _ in range(job.docs)]
        for k, (d, index, sentence, mentions, inside) in enumerate(job.pending):
            found[d].extend(
                decode(
                    sentence,
                    index,
                    mentions,
                    scores[bounds[k] : bounds[k + 1]],
                    inside,
                    job.authors[d],
                    self.model.metadata.threshold,
                )
            )
        return found


def _holders(mention: Mention, rules: Sequence[Candidate], author: ActorMention | None) -> list[ActorMention]:
    if entries := mention.stands_for():  # as training labels it (dataset.holders)
        return [ActorMention(mention.start, mention.end, mention.head, entry) for entry in entries]
    rule = next((c for c in rules if c.holder_token == mention.head and c.holder is not None), None)
    if rule is not None:  # 'we' inside a quote: the quote's speaker
        return [ActorMention(mention.start, mention.end, mention.head, rule.holder.entry)]
    return [] if author is None else [ActorMention(mention.start, mention.end, mention.head, author.entry)]


def _rule_for(mention: Mention, rules: Sequence[Candidate]) -> Candidate | None:
    for rule in rules:
        if mention.start <= rule.holder_token < mention.end or (
            rule.holder is not None and rule.pronoun is None and rule.holder.head == mention.head
        ):
            return rule
    return None


def _best(
    mentions: Sequence[Mention], scores: numpy.ndarray, column: int, other_than: Mention
) -> ActorMention | None:
    """The candidate likeliest in a role (speaker, target) besides the holder, never the holder's
    own words (another antecedent option of its pronoun). Of another pronoun's options, the one
    likeliest in the role. (Keeping only the option likeliest to hold lost 4 of 145 right targets
    on guardian dev.)"""
    ranked = sorted(range(len(mentions)), key=lambda i: -scores[i, column])
    for i in ranked:
        m = mentions[i]
        if scores[i, column] < ROLE_THRESHOLD:
            break
        if m.head != other_than.head and m.entry is not None and m.entry != other_than.entry:
            return ActorMention(m.start, m.end, m.head, m.entry)
    return None


def decode(
    sentence: Span,
    index: int,
    mentions: Sequence[Mention],
    scores: numpy.ndarray,
    rules: Sequence[Candidate],
    author: ActorMention | None,
    threshold: float,
) -> list[Attributed]:
    doc = sentence.doc
    found: list[Attributed] = []
    seen: set[tuple[str, str]] = set()
    for i in holding(mentions, scores, threshold):
        mention = mentions[i]
        stance_scores = scores[i, : len(STANCE_LABELS)]
        label = STANCE_LABELS[int(numpy.argmax(stance_scores))]
        total = float(stance_scores.sum()) or 1.0
        normalised = {
            k: round(float(v) / total, SCORE_DECIMALS)
            for k, v in zip(STANCE_LABELS, stance_scores, strict=True)
        }
        prediction = StancePrediction(label, round(float(stance_scores.max()), SCORE_DECIMALS), normalised)
        rule = _rule_for(mention, rules)
        head = doc[mention.head]
        for holder in _holders(mention, rules, author):
            key = (holder.entry.name, label)
            if key in seen:
                continue
            seen.add(key)
            if rule is not None:
                # the rule read this holder: its cue, speaker, target and flags, with the model's holder
                candidate = replace(
                    rule,
                    holder=holder,
                    holder_token=mention.head,
                    pronoun=mention.head if mention.kind in ("pronoun", "description") else None,
                    split_target=False,
                )
            else:
                verb = predicate(head) or head
                chain = predicate_chain(verb)
                candidate = Candidate(
                    sent_start=sentence.start,
                    sent_end=sentence.end,
                    predicate=verb.i,
                    cue=cue_words(verb),
                    cue_token=verb.i,
                    holder=holder,
                    holder_token=mention.head,
                    pronoun=mention.head
                    if mention.kind in ("pronoun", "description") or is_first_person(head)
                    else None,
                    speaker=_best(mentions, scores, SPEAKER, mention),
                    target=_best(mentions, scores, TARGET, mention),
                    negated=is_negated(chain),
                    conditional=is_conditional(chain),
                    hedged=is_hedged(chain),
                )
            words = mention.span(doc).text
            found.append(Attributed(candidate, holder, words, sentence, index, prediction))
    return found


def make_encoder(config: AttributionConfig, metadata: AttributionMetadata) -> "SentenceEncoder | OnnxEncoder":
    """The model's encoder in the configured runtime (ONNX Runtime unless PyTorch is asked for)."""
    base = base_dir(metadata.encoder, cache_dir())
    layers, depth = metadata.layers, metadata.depth
    adapter = metadata.adapter_file(config.model_dir)
    if config.runtime == "torch":
        device = pick_device(config.device)
        encoder = SentenceEncoder(
            base, batch_size=config.batch_size, layers=layers, device=device, depth=depth, adapter=adapter
        )
        if config.threads:
            encoder.torch.set_num_threads(config.threads)
        return encoder
    return OnnxEncoder(
        base, layers=layers, runtime=config.runtime, threads=config.threads, depth=depth, adapter=adapter
    )


@cache
def load_attributor(config: AttributionConfig) -> Attributor:
    """One attributor per process and configuration."""
    return Attributor(config)
