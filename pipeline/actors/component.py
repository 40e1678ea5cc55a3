"""The spaCy component that finds actor mentions and resolves them to canonical actors."""

import csv
import re
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from pipeline.actors.config import ActorsConfig
from pipeline.actors.gazetteer import ActorEntry, Gazetteer, load_gazetteer, normalise_key
from pipeline.actors.mentions import ActorMention, register_extensions
from pipeline.wordlists import word_list

# Nouns that turn a country adjective or name into that state's voice: "Russian officials".
GROUP_NOUNS = word_list("pipeline.actors", "group-nouns")
# Nouns that say what kind of body a named organisation or group is: "the Islamic Jihad
# movement", "the APEC forum", "the UNITA militarist wing" speak for the body they name.
BODY_NOUNS = word_list("pipeline.actors", "body-nouns")
# Plural nouns for people and units that act for their country: "Swiss doctors", "Egyptian warships".
ACTING_NOUNS = word_list("pipeline.actors", "acting-nouns")
# People named by where they act: 'the authorities in Croatia', 'rebels in the Ivory Coast'.
LOCAL_NOUNS = word_list("pipeline.actors", "local-nouns")
AGENT_SUFFIXES = ("ist", "ian")
NOUN_MODIFIER_DEPS = ("amod", "compound", "nmod", "poss")
ARMED_GROUP_RE = re.compile(r"\b(forces|army|front|militia|brigades?|movement|rebels|guards?)\b", re.I)
ACTOR_ENTITY_LABELS = frozenset({"GPE", "NORP", "ORG", "PERSON"})


@Language.factory(
    "stance_actors",
    requires=["doc.ents", "token.dep", "token.pos"],
    assigns=["doc._.actors"],
    default_config={"gazetteer_dir": ""},
)
def make_actor_resolver(nlp: Language, name: str, gazetteer_dir: str) -> "ActorResolver":
    directory = Path(gazetteer_dir) if gazetteer_dir else ActorsConfig().gazetteer_dir
    return ActorResolver(nlp, load_gazetteer(directory))


class ActorResolver:
    """Finds states, organisations, groups and people, with titles and country modifiers."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer) -> None:
        register_extensions()
        self.gazetteer = gazetteer
        self.names = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.adjectives = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.titles = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._add_patterns(nlp, self.names, _surface_forms(gazetteer.names))
        self._add_patterns(nlp, self.adjectives, _surface_forms(gazetteer.adjectives))
        self._add_patterns(nlp, self.titles, sorted(gazetteer.titles))

    @staticmethod
    def _add_patterns(nlp: Language, matcher: PhraseMatcher, texts: list[str]) -> None:
        matcher.add("X", [nlp.make_doc(text) for text in texts if text.strip()])

    def __call__(self, doc: Doc) -> Doc:
        doc._.actors = find_actors(doc, self)
        return doc


def _surface_forms(table: dict[str, ActorEntry]) -> list[str]:
    """Keys are lower-cased; news writes names in title case or as acronyms."""
    forms: set[str] = set()
    for key in table:
        forms.add(_title_case(key))
        forms.add(key.upper() if len(key) <= 5 and "." not in key else _title_case(key))
        forms.add(key[0].upper() + key[1:])
    return sorted(forms)


def _title_case(text: str) -> str:
    small = {"of", "and", "the", "de", "da", "del", "for", "on", "al", "bin", "in"}
    words = text.split(" ")
    return " ".join(
        w if (i and w in small) else (w[0].upper() + w[1:] if w else w) for i, w in enumerate(words)
    )


def _spans(doc: Doc, matcher: PhraseMatcher) -> list[Span]:
    return filter_spans([doc[start:end] for _, start, end in matcher(doc)])


def find_actors(doc: Doc, resolver: ActorResolver) -> list[ActorMention]:
    gazetteer = resolver.gazetteer
    persons = [ent for ent in doc.ents if ent.label_ == "PERSON"]
    person_tokens = {i for ent in persons for i in range(ent.start, ent.end)}
    mentions: list[ActorMention] = []
    for span in _spans(doc, resolver.names):
        entry = gazetteer.lookup(span.text)
        if entry is None:
            continue
        inside_person = any(i in person_tokens for i in range(span.start, span.end))
        if inside_person and entry.type != "person":
            continue
        mentions.append(ActorMention(span.start, span.end, span.root.i, entry))
    for span in _spans(doc, resolver.adjectives):
        entry = gazetteer.lookup_adjective(span.text)
        if entry is not None and not any(m.start <= span.start < m.end for m in mentions):
            mentions.append(ActorMention(span.start, span.end, span.root.i, entry, modifier=True))
    taken = {i for m in mentions for i in range(m.start, m.end)}
    for ent in doc.ents:
        if ent.label_ not in ACTOR_ENTITY_LABELS or any(i in taken for i in range(ent.start, ent.end)):
            continue
        entry = _entity_entry(ent, gazetteer)
        if entry is not None:
            mentions.append(
                ActorMention(ent.start, ent.end, ent.root.i, entry, modifier=ent.label_ == "NORP")
            )
    mentions = _attach_titles(doc, mentions, _spans(doc, resolver.titles), gazetteer)
    mentions = _merge_appositions(doc, mentions)
    mentions = [_extend_of_phrase(doc, _extend_group_noun(doc, mention, mentions)) for mention in mentions]
    mentions = [_extend_in_phrase(doc, mention, mentions) for mention in mentions]
    mentions += _surname_mentions(doc, mentions)
    kept = filter_spans([doc[m.start : m.end] for m in mentions])
    by_range = {(m.start, m.end): m for m in mentions}
    return sorted((by_range[(s.start, s.end)] for s in kept), key=lambda m: m.start)


def _entity_entry(ent: Span, gazetteer: Gazetteer) -> ActorEntry | None:
    text = ent.text.removeprefix("the ").removeprefix("The ")
    known = gazetteer.lookup(text)
    if known is not None:
        return known
    if ent.label_ == "PERSON":
        surname = ent[-1].text
        known = gazetteer.lookup(surname)
        if known is not None and known.type == "person":
            return known
        return ActorEntry(key=text, name=text, type="person")
    if ent.label_ in ("GPE", "NORP"):
        iso3 = _coco_iso3(text)
        return gazetteer.state(iso3) if iso3 else None
    if ent.label_ == "ORG" and len(text) > 2:
        kind = "group" if ARMED_GROUP_RE.search(text) else "organization"
        return ActorEntry(key=text, name=text, type=kind)
    return None


@cache
def _coco_regexes() -> tuple[tuple[re.Pattern[str], str], ...]:
    text = resources.files("country_converter").joinpath("country_data.tsv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    return tuple((re.compile(row["regex"], re.I), row["ISO3"]) for row in rows if row["regex"])


@cache
def _coco_iso3(text: str) -> str | None:
    """country_converter's name patterns, for spellings the gazetteer does not list."""
    for pattern, iso3 in _coco_regexes():
        if pattern.search(text):
            return iso3
    return None


def _country_modifier(
    doc: Doc, end: int, mentions: list[ActorMention], gazetteer: Gazetteer
) -> ActorMention | None:
    """A country/organisation mention that ends right before token ``end`` ('Russia's', 'Russian').
    A person's possessive names the state of that person ('Macron's national security adviser'
    speaks for France), as the gazetteer knows it."""
    position = end
    possessive = position > 0 and doc[position - 1].text in ("'s", "’s", "'")
    if possessive:
        position -= 1
    for mention in mentions:
        if mention.end != position:
            continue
        if mention.entry.type in ("state", "organization", "group"):
            return mention
        if possessive and mention.entry.type == "person" and mention.entry.country_code:
            state = gazetteer.state(mention.entry.country_code)
            return replace(mention, entry=state) if state is not None else None
    return None


def _attach_titles(
    doc: Doc, mentions: list[ActorMention], titles: list[Span], gazetteer: Gazetteer
) -> list[ActorMention]:
    """'Russia's Deputy Foreign Minister Andrey Rudenko' -> one person with title and country."""
    result = list(mentions)
    for title in titles:
        title_name = gazetteer.titles.get(normalise_key(title.text), title.text.lower())
        after = title.end + (1 if title.end < len(doc) and doc[title.end].text == "," else 0)
        person = next((m for m in result if m.start == after and m.entry.type == "person"), None)
        modifier = _country_modifier(doc, title.start, result, gazetteer)
        if modifier is None and title.end < len(doc) - 2 and doc[title.end].lower_ == "for":
            modifier = next(
                (m for m in result if m.start in (title.end + 1, title.end + 2) and m.entry.type != "person"),
                None,
            )
        if person is None and modifier is None:
            continue
        start = modifier.start if modifier and modifier.end <= title.start + 1 else title.start
        country = modifier.entry if modifier else None
        if person is not None:
            entry = person.entry
            if entry.country is None and country is not None:
                entry = replace(entry, country=country.country, country_code=country.country_code)
            if entry.title is None:
                entry = replace(entry, title=title_name)
            end, head = person.end, person.head
            result.remove(person)
        elif title.root.tag_ in ("NNS", "NNPS"):
            # plural titles speak for their state: "Russian officials", "EU diplomats"
            assert country is not None
            entry = country
            end, head = title.end, title.root.i
        else:
            # an unnamed office holder speaks for its state or organisation, as plural officials
            # do: "a top U.S. official praised ..." is the United States' position
            assert country is not None
            entry = replace(country, title=title_name)
            end, head = title.end, title.root.i
        if modifier is not None and modifier.start >= start:  # the modifier is part of the title now
            result = [m for m in result if (m.start, m.end) != (modifier.start, modifier.end)]
        result.append(ActorMention(start, end, head, entry))
    return result


def _extend_group_noun(doc: Doc, mention: ActorMention, mentions: list[ActorMention]) -> ActorMention:
    """'Russian officials', 'EU diplomats': the state's voice, headed by the noun.
    'Hungarian and Romanian officials' is Hungary's mention with Romania's coordinated in it."""
    if mention.entry.type not in ("state", "organization", "group"):
        return mention
    span = doc[mention.start : mention.end]
    # 'The Asia-Pacific Economic Cooperation forum': the word that attaches the name to the noun
    modifier = next(
        (t for t in span if not mention.start <= t.head.i < mention.end and t.dep_ in NOUN_MODIFIER_DEPS),
        doc[mention.head],
    )
    head = modifier.head
    coordinated = tuple(
        ActorMention(other.start, other.end, other.head, other.entry)
        for conj in modifier.conjuncts
        if mention.end <= conj.i < head.i
        for other in mentions
        if other.start <= conj.i < other.end and other.entry.key != mention.entry.key
    )
    between = [t for t in _outside_brackets(doc[mention.end : head.i]) if t.dep_ not in ("cc", "punct")]
    near = len(between) <= 2 or all(any(c.start <= t.i < c.end for c in coordinated) for t in between)
    plural_people = head.tag_ == "NNS" and (
        head.lemma_.lower() in ACTING_NOUNS or head.lemma_.lower().endswith(AGENT_SUFFIXES)
    )
    possessive = doc[mention.end - 1].text in ("'s", "’s") or (
        mention.end < len(doc) and doc[mention.end].text in ("'s", "’s")
    )
    if (
        head.i >= mention.end
        and near
        # 'Poland's government' speaks for Poland; 'Poland's soldiers' or 'Poland's refusal' are
        # left to the plural-people and nominalisation rules
        and (
            head.lower_ in GROUP_NOUNS
            or (plural_people and not possessive)
            or (head.lower_ in BODY_NOUNS and mention.entry.type != "state" and not possessive)
        )
        and modifier.dep_ in NOUN_MODIFIER_DEPS
    ):
        return ActorMention(mention.start, head.i + 1, head.i, mention.entry, coordinated=coordinated)
    return mention


def _surname_mentions(doc: Doc, mentions: list[ActorMention]) -> list[ActorMention]:
    """'Karaca said' after 'Foreign Minister Selim Karaca': the surname alone is the same person."""
    people = {}
    for mention in mentions:
        name = mention.entry.name.split()
        if mention.entry.type == "person" and len(name) >= 2 and name[-1][:1].isupper():
            people.setdefault(name[-1], mention.entry)
    covered = {i for m in mentions for i in range(m.start, m.end)}
    return [
        ActorMention(token.i, token.i + 1, token.i, people[token.text])
        for token in doc
        if token.text in people and token.i not in covered and token.pos_ == "PROPN"
    ]


def _outside_brackets(tokens: Span) -> list[Token]:
    """'The APEC (Asia-Pacific Economic Cooperation) forum': what a bracketed aside leaves."""
    kept, depth = [], 0
    for token in tokens:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(token)
    return kept


def _extend_in_phrase(doc: Doc, mention: ActorMention, mentions: list[ActorMention]) -> ActorMention:
    """'the authorities in Croatia', 'opposition groups in Zimbabwe': people of the place who act
    there. Troops and forces 'in' a country are often foreign, so they are left alone."""
    if mention.entry.type != "state" or mention.modifier or mention.start < 2:
        return mention
    preposition = doc[mention.start - 1]
    if preposition.lower_ == "the":
        preposition = doc[mention.start - 2]
    noun = preposition.head
    if (
        preposition.lower_ != "in"
        or preposition.dep_ != "prep"
        or noun.lower_ not in LOCAL_NOUNS
        or noun.i >= preposition.i
        or any(m.start <= noun.i < m.end for m in mentions)
    ):
        return mention
    start = min(t.i for t in noun.subtree if t.i <= noun.i and t.dep_ != "det")
    return ActorMention(start, mention.end, noun.i, mention.entry)


def _extend_of_phrase(doc: Doc, mention: ActorMention) -> ActorMention:
    """'the Government of India', 'the Kingdom of Morocco': the state, named by the phrase."""
    if mention.entry.type != "state" or mention.start < 2 or mention.modifier:
        return mention
    of, noun = doc[mention.start - 1], doc[mention.start - 2]
    if of.lower_ != "of" or noun.lower_ not in GROUP_NOUNS | {"kingdom", "republic", "people"}:
        return mention
    start = noun.i - 1 if noun.i > 0 and doc[noun.i - 1].lower_ == "the" else noun.i
    return ActorMention(start, mention.end, noun.i, mention.entry)


def _unnamed_office(mention: ActorMention) -> bool:
    """'Norway's foreign minister' without a name: the state, with the office as its title."""
    return mention.entry.title is not None and mention.entry.type != "person"


def _merge_appositions(doc: Doc, mentions: list[ActorMention]) -> list[ActorMention]:
    """'Ingrid Solvang, Norway's foreign minister,': the named person takes the office and country."""
    result = list(mentions)
    for office in [m for m in mentions if _unnamed_office(m)]:
        named = next(
            (
                m
                for m in result
                if m.entry.type == "person"
                and not _unnamed_office(m)
                and m.end < len(doc)
                and doc[m.end].text == ","
                and office.start in (m.end + 1, m.end + 2)
            ),
            None,
        )
        if named is None:
            continue
        entry = replace(
            named.entry,
            country=named.entry.country or office.entry.country,
            country_code=named.entry.country_code or office.entry.country_code,
            title=named.entry.title or office.entry.title,
        )
        result[result.index(named)] = replace(named, entry=entry)
        result[result.index(office)] = replace(office, entry=entry)
    return result
