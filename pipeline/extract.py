"""The Prefect-free core: clean articles in, article and statement records out.

Each article's body blocks (furniture left out) are parsed as one Doc, so pronouns,
surnames and quotes resolve across paragraphs; every block starts a new sentence, and
offsets are mapped back to the article's cleaned text.
"""

import bisect
import hashlib
import itertools
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.actors.gazetteer import ActorEntry, Gazetteer
from pipeline.actors.mentions import ActorMention, to_actor
from pipeline.actors.roles import with_roles
from pipeline.ingest.document import CleanArticle
from pipeline.output.plover import plover_code
from pipeline.output.records import ArticleRecord, FurnitureSpan, StatementRecord
from pipeline.stance.classifier import StanceClassifier, StanceInput, StancePrediction
from pipeline.statements.candidates import Candidate
from pipeline.statements.extract import READER_PROMPT_RE, is_first_person, is_reader_prompt

if TYPE_CHECKING:
    from pipeline.attribution.attributor import Attributor

BLOCK_SEPARATOR = "\n\n"
OVERLAP_GROUP = 8  # articles parsed while the encoder reads the group before


@dataclass(frozen=True)
class ArticleResult:
    article: ArticleRecord
    statements: list[StatementRecord]


@dataclass(frozen=True)
class BodyMap:
    """Where each body block sits in the parsed body text and in the article text."""

    body_starts: tuple[int, ...]
    article_starts: tuple[int, ...]

    def to_article(self, position: int) -> int:
        k = bisect.bisect_right(self.body_starts, position) - 1
        return self.article_starts[k] + position - self.body_starts[k]


@dataclass
class _Located:
    """A candidate with its resolved holder, ready to be classified and written."""

    candidate: Candidate
    holder: ActorMention
    holder_mention: str
    sentence: Span
    sentence_index: int


def _bounds(sentence: Span) -> tuple[int, int]:
    """Character bounds of a sentence in its Doc, without surrounding whitespace tokens."""
    text = sentence.text
    start = sentence.start_char + len(text) - len(text.lstrip())
    return start, sentence.start_char + len(text.rstrip())


def statement_id(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def body_doc(nlp: Language, article: CleanArticle) -> tuple[Doc, BodyMap]:
    """The article's body as one tokenised Doc with a sentence start at every block."""
    body_starts, article_starts, parts = [], [], []
    position = 0
    for block in article.body_blocks:
        body_starts.append(position)
        article_starts.append(block.start)
        parts.append(article.text[block.start : block.end])
        position += block.end - block.start + len(BLOCK_SEPARATOR)
    doc = nlp.make_doc(BLOCK_SEPARATOR.join(parts))
    # a new Doc has its first token as a sentence start and the others unknown; only the block
    # starts are set (each setter checks the whole Doc's annotation, so not one per token)
    for i in numpy.flatnonzero(numpy.isin(doc.to_array(IDX), body_starts)):
        doc[int(i)].is_sent_start = True
    return doc, BodyMap(tuple(body_starts), tuple(article_starts))


def _with_context(
    statement: StatementRecord, article: ArticleRecord, gazetteer: Gazetteer
) -> StatementRecord:
    """Schema 1.1: the article's date, URL and title repeated, the PLOVER type, and each actor's
    affiliation and sector, so that a row stands alone."""
    plover, mode = plover_code(statement.stance, statement.cue)
    return statement.model_copy(
        update={
            "holder": with_roles(statement.holder, gazetteer),
            "speaker": with_roles(statement.speaker, gazetteer),
            "target": with_roles(statement.target, gazetteer),
            "published": article.published,
            "url": article.url,
            "title": article.title,
            "plover": plover,
            "plover_mode": mode,
        }
    )


def process_articles(
    articles: Sequence[CleanArticle],
    nlp: Language,
    classifier: StanceClassifier | None = None,
    batch_size: int = 32,
    attributor: "Attributor | None" = None,
) -> list[ArticleResult]:
    """Parse, find and resolve statements, label them in one batch, build the records.

    With an ``attributor`` the learned model decides holders and stances (the classifier is not
    needed); without, the dependency rules find holders and the classifier labels them."""
    prepared = [body_doc(nlp, article) for article in articles]
    authors = [_author_mention(nlp, article.speaker) for article in articles]
    if attributor is not None:
        docs, attributed = parse_and_attribute(
            nlp, [doc for doc, _ in prepared], authors, attributor, batch_size
        )
        located: list[list] = [
            [_Located(a.candidate, a.holder, a.holder_mention, a.sentence, a.sentence_index) for a in items]
            for items in attributed
        ]
        predictions = iter([a.prediction for items in attributed for a in items])
        tag = attributor.tag
    elif classifier is not None:
        docs = list(nlp.pipe((doc for doc, _ in prepared), batch_size=batch_size))
        located = [list(_locate(doc, author)) for doc, author in zip(docs, authors, strict=True)]
        flat = [item for items in located for item in items]
        predictions = iter(classifier.predict([_stance_input(item) for item in flat]))
        tag = classifier.tag
    else:
        raise ValueError("process_articles needs an attributor or a classifier")
    gazetteer = nlp.get_pipe("stance_actors").gazetteer
    results = []
    for article, doc, (_, body_map), items in zip(articles, docs, prepared, located, strict=True):
        record = ArticleRecord(
            article_id=article.article_id,
            source=article.source,
            title=article.title,
            published=article.published,
            url=article.url,
            urls=list(article.urls),
            text=article.text,
            furniture=_furniture(article, doc, body_map),
        )
        statements = [
            _with_context(_statement(record, item, next(predictions), tag, body_map), record, gazetteer)
            for item in items
        ]
        statements.sort(key=lambda s: (s.char_start, s.statement_id))
        results.append(ArticleResult(article=record, statements=statements))
    return results


def parse_and_attribute(
    nlp: Language,
    texts: Sequence[Doc],
    authors: Sequence[ActorMention | None],
    attributor: "Attributor",
    batch_size: int = 32,
    group: int = OVERLAP_GROUP,
) -> tuple[list[Doc], list]:
    """Parse the Docs and attribute their statements, using both cores: while spaCy parses one
    group of ``group`` Docs, a second thread runs the encoder (ONNX Runtime releases the GIL) on
    the group before. The statements are the same as ``attributor.attribute`` on all the Docs."""
    parsed = nlp.pipe(texts, batch_size=max(1, min(batch_size, group)))
    docs: list[Doc] = []
    attributed: list = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stance-encoder") as pool:
        previous = None
        for begin, size in _groups(len(texts), group):
            part = list(itertools.islice(parsed, size))
            job = attributor.prepare(part, authors[begin : begin + len(part)])
            running = pool.submit(attributor.encode, job)
            if previous is not None:
                attributed.extend(attributor.finish(previous[0], previous[1].result()))
            previous = (job, running)
            docs.extend(part)
        if previous is not None:
            attributed.extend(attributor.finish(previous[0], previous[1].result()))
    return docs, attributed


def _groups(count: int, group: int) -> list[tuple[int, int]]:
    """(first, size) of each group: ``group`` Docs, but the last ``group`` in pairs, so that the
    encoder's work left when the parse ends (nothing to overlap it with) is small."""
    tail = min(count, group)
    head = count - tail
    sizes = [group] * (head // group) + ([head % group] if head % group else [])
    sizes += [min(2, tail - k) for k in range(0, tail, 2)]
    starts = itertools.accumulate(sizes[:-1], initial=0)
    return list(zip(starts, sizes, strict=True)) if sizes else []


def _author_mention(nlp: Language, speaker: str | None) -> ActorMention | None:
    """The document's own voice ('we' in a speech), from a name or ISO3 code."""
    if not speaker:
        return None
    gazetteer = nlp.get_pipe("stance_actors").gazetteer
    entry = gazetteer.state(speaker.upper()) or gazetteer.lookup(speaker)
    if entry is None:
        entry = ActorEntry(key=speaker, name=speaker, type="other")
    return ActorMention(0, 0, 0, entry)


def _locate(doc: Doc, author: ActorMention | None) -> Iterable[_Located]:
    """Candidates with a holder; 'we' outside quotes is the document's author."""
    sentences = {sent.start: (i, sent) for i, sent in enumerate(doc.sents)}
    seen: set[tuple[int, str, int, str | None]] = set()
    for candidate in doc._.statement_candidates or ():
        holder = candidate.holder
        if holder is None and is_first_person(doc[candidate.holder_token]):
            holder = author
        if holder is None:
            continue
        target_key = candidate.target.entry.key if candidate.target else None
        key = (candidate.sent_start, holder.entry.key, candidate.cue_token, target_key)
        if key in seen:
            continue
        seen.add(key)
        if author is not None and holder.entry.key != author.entry.key and candidate.speaker is None:
            # in a speech, what others do is reported by the speaker; what the speaking state
            # does, named ('Saint Lucia has come to say') or as 'we', has no speaker apart
            candidate.speaker = author
        index, sentence = sentences[candidate.sent_start]
        by_pronoun = candidate.pronoun is not None or holder is author
        yield _Located(
            candidate=candidate,
            holder=holder,
            holder_mention=doc[candidate.holder_token].text if by_pronoun else holder.span(doc).text,
            sentence=sentence,
            sentence_index=index,
        )


def _stance_input(item: _Located) -> StanceInput:
    candidate, sentence = item.candidate, item.sentence
    doc = sentence.doc
    if candidate.pronoun is not None or item.holder.end == item.holder.start:
        first = last = doc[candidate.holder_token]
    else:
        span = item.holder.span(doc)
        first, last = span[0], span[-1]
    sent_start, _ = _bounds(sentence)
    start = first.idx - sent_start
    end = last.idx + len(last.text) - sent_start
    target = candidate.target.span(doc).text if candidate.target else None
    cue = doc[candidate.cue_token]
    return StanceInput(
        # the text within _bounds, from the sentence (Doc.text would join the whole article again)
        sentence=sentence.text.strip(),
        holder_start=start,
        holder_end=end,
        target=target,
        cue=candidate.cue,
        cue_start=cue.idx - sent_start,
        cue_end=cue.idx + len(cue.text) - sent_start,
    )


def _statement(
    article: ArticleRecord, item: _Located, prediction: StancePrediction, model_tag: str, body_map: BodyMap
) -> StatementRecord:
    candidate, sentence = item.candidate, item.sentence
    doc = sentence.doc
    body_start, body_end = _bounds(sentence)
    char_start = body_map.to_article(body_start)
    char_end = body_map.to_article(body_end - 1) + 1
    holder_offset = body_map.to_article(doc[candidate.holder_token].idx)
    cue_offset = body_map.to_article(doc[candidate.cue_token].idx)
    holder = to_actor(item.holder.entry, item.holder_mention)
    id_parts: list[object] = [
        article.article_id,
        char_start,
        char_end,
        holder_offset,
        holder.name,
        cue_offset,
    ]
    if candidate.split_target and candidate.target is not None:
        # one statement per coordinated target: the target tells them apart
        id_parts.append(body_map.to_article(doc[candidate.target.start].idx))
    return StatementRecord(
        statement_id=statement_id(*id_parts),
        article_id=article.article_id,
        sentence_index=item.sentence_index,
        char_start=char_start,
        char_end=char_end,
        text=article.text[char_start:char_end],
        holder=holder,
        speaker=candidate.speaker.to_actor(doc) if candidate.speaker else None,
        target=candidate.target.to_actor(doc) if candidate.target else None,
        cue=candidate.cue,
        stance=prediction.label,
        confidence=prediction.confidence,
        scores=prediction.scores,
        negated=candidate.negated,
        conditional=candidate.conditional,
        hedged=candidate.hedged,
        model=model_tag,
    )


def _furniture(article: CleanArticle, doc: Doc, body_map: BodyMap) -> list[FurnitureSpan]:
    """Furniture blocks, plus sentences in the body that address the reader."""
    spans = [FurnitureSpan(kind=b.kind, char_start=b.start, char_end=b.end) for b in article.furniture_blocks]
    for sentence in doc.sents:
        text = sentence.text.strip()
        addressed = READER_PROMPT_RE.search(text) or any(t.lower_ in ("you", "your") for t in sentence)
        if text and addressed and is_reader_prompt(sentence):
            body_start, body_end = _bounds(sentence)
            start, end = body_map.to_article(body_start), body_map.to_article(body_end - 1) + 1
            spans.append(FurnitureSpan(kind="reader_prompt", char_start=start, char_end=end))
    return sorted(spans, key=lambda s: (s.char_start, s.char_end))
