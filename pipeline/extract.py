"""The Prefect-free core: clean articles in, article and statement records out."""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.actors.mentions import ActorMention, to_actor
from pipeline.ingest.document import Block, CleanArticle
from pipeline.output.records import ArticleRecord, FurnitureSpan, StatementRecord
from pipeline.stance.classifier import StanceClassifier, StanceInput
from pipeline.statements.candidates import Candidate
from pipeline.statements.extract import READER_PROMPT_RE, is_reader_prompt, prefer_subject


@dataclass(frozen=True)
class ArticleResult:
    article: ArticleRecord
    statements: list[StatementRecord]


@dataclass
class _Located:
    """A candidate with everything needed to build its record once it is classified."""

    candidate: Candidate
    holder: ActorMention
    holder_doc: Doc
    holder_mention: str
    doc: Doc
    block: Block
    sentence_index: int


def article_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def statement_id(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def process_articles(
    articles: Sequence[CleanArticle], nlp: Language, classifier: StanceClassifier, batch_size: int = 32
) -> list[ArticleResult]:
    """Parse every body block, find candidates, resolve pronouns across blocks, classify."""
    texts = [
        (a.text[b.start : b.end], (n, k)) for n, a in enumerate(articles) for k, b in enumerate(a.body_blocks)
    ]
    docs: dict[tuple[int, int], Doc] = {
        key: doc for doc, key in nlp.pipe(texts, as_tuples=True, batch_size=batch_size)
    }
    located: list[list[_Located]] = []
    furniture: list[list[FurnitureSpan]] = []
    for n, article in enumerate(articles):
        blocks = article.body_blocks
        article_docs = [docs[(n, k)] for k in range(len(blocks))]
        located.append(list(_locate(article_docs, blocks)))
        furniture.append(_furniture(article, article_docs))
    flat = [item for items in located for item in items]
    predictions = classifier.predict([_stance_input(item) for item in flat])
    results, position = [], 0
    for n, article in enumerate(articles):
        record = ArticleRecord(
            article_id=article_id(article.text),
            source=article.source,
            title=article.title,
            published=article.published,
            text=article.text,
            furniture=furniture[n],
        )
        statements = []
        for item in located[n]:
            statements.append(_statement(record, item, predictions[position], classifier.tag))
            position += 1
        statements.sort(key=lambda s: (s.char_start, s.statement_id))
        results.append(ArticleResult(article=record, statements=statements))
    return results


def _locate(docs: list[Doc], blocks: Sequence[Block]) -> Iterable[_Located]:
    """Candidates with a resolved holder; pronouns fall back to earlier blocks' actors."""
    sentence_index = 0
    seen: set[tuple[int, int, str, int]] = set()
    for k, (doc, block) in enumerate(zip(docs, blocks, strict=True)):
        sentence_starts = {sent.start: i for i, sent in enumerate(doc.sents)}
        for candidate in doc._.statement_candidates or ():
            holder, holder_doc = candidate.holder, doc
            if holder is None:
                holder, holder_doc = _antecedent_from(docs[:k], doc[candidate.holder_token])
                if holder is None:
                    continue
            key = (k, candidate.sent_start, holder.entry.key, candidate.cue_token)
            if key in seen:
                continue
            seen.add(key)
            yield _Located(
                candidate=candidate,
                holder=holder,
                holder_doc=holder_doc,
                holder_mention=doc[candidate.holder_token].text
                if candidate.pronoun is not None
                else holder.span(doc).text,
                doc=doc,
                block=block,
                sentence_index=sentence_index + sentence_starts[candidate.sent_start],
            )
        sentence_index += len(sentence_starts)


def _antecedent_from(previous: list[Doc], pronoun) -> tuple[ActorMention | None, Doc]:
    wants_person = pronoun.lower_ in ("he", "she", "him", "her", "his") or pronoun.pos_ == "NOUN"
    for doc in reversed(previous):
        mentions = [
            m
            for m in reversed(doc._.actors or ())
            if not m.modifier and (m.entry.type == "person") == wants_person
        ]
        best = prefer_subject(doc, mentions)
        if best is not None:
            return best, doc
    return None, pronoun.doc


def _stance_input(item: _Located) -> StanceInput:
    candidate, doc = item.candidate, item.doc
    sentence = doc[candidate.sent_start : candidate.sent_end]
    if candidate.pronoun is not None:
        start_token = end_token = doc[candidate.holder_token]
    else:
        span = item.holder.span(doc)
        start_token, end_token = span[0], span[-1]
    start = start_token.idx - sentence.start_char
    end = end_token.idx + len(end_token.text) - sentence.start_char
    target = candidate.target.span(doc).text if candidate.target else None
    return StanceInput(sentence=sentence.text, holder_start=start, holder_end=end, target=target)


def _statement(article: ArticleRecord, item: _Located, prediction, model_tag: str) -> StatementRecord:
    candidate, doc, block = item.candidate, item.doc, item.block
    sentence = doc[candidate.sent_start : candidate.sent_end]
    char_start = block.start + sentence.start_char
    char_end = block.start + sentence.end_char
    holder_offset = block.start + doc[candidate.holder_token].idx
    cue_offset = block.start + doc[candidate.cue_token].idx
    holder = to_actor(item.holder.entry, item.holder_mention)
    speaker = candidate.speaker.to_actor(doc) if candidate.speaker else None
    target = candidate.target.to_actor(doc) if candidate.target else None
    return StatementRecord(
        statement_id=statement_id(
            article.article_id, char_start, char_end, holder_offset, holder.name, cue_offset
        ),
        article_id=article.article_id,
        sentence_index=item.sentence_index,
        char_start=char_start,
        char_end=char_end,
        text=article.text[char_start:char_end],
        holder=holder,
        speaker=speaker,
        target=target,
        cue=candidate.cue,
        stance=prediction.label,
        confidence=prediction.confidence,
        scores=prediction.scores,
        negated=candidate.negated,
        conditional=candidate.conditional,
        hedged=candidate.hedged,
        model=model_tag,
    )


def _furniture(article: CleanArticle, docs: list[Doc]) -> list[FurnitureSpan]:
    spans = [FurnitureSpan(kind=b.kind, char_start=b.start, char_end=b.end) for b in article.furniture_blocks]
    for doc, block in zip(docs, article.body_blocks, strict=True):
        for sentence in doc.sents:
            addressed = READER_PROMPT_RE.search(sentence.text) or any(
                t.lower_ in ("you", "your") for t in sentence
            )
            if is_reader_prompt(sentence) and addressed and sentence.text.strip():
                spans.append(
                    FurnitureSpan(
                        kind="reader_prompt",
                        char_start=block.start + sentence.start_char,
                        char_end=block.start + sentence.end_char,
                    )
                )
    return sorted(spans, key=lambda s: (s.char_start, s.char_end))
