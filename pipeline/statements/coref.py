"""Coreference sufficient for attribution: pronouns and definite descriptions to actors.

Rules over the actor mentions before the word, nearest first, preferring a clause's
subject (the likeliest antecedent): 'he'/'she'/'the minister' take a person, 'it'/'the
country'/'the bloc' a state or organisation, 'they'/'the three countries'/'both sides' the
latest coordinated group, 'the latter'/'the former' the last or second-to-last actor.
"""

import bisect

from spacy.tokens import Doc, Token

from pipeline.actors.mentions import ActorMention
from pipeline.wordlists import word_list

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
THING_PRONOUNS = frozenset({"it", "its"})
PLURAL_PRONOUNS = frozenset({"they", "them"})
PERSON_NOUNS = word_list("pipeline.statements", "coref-person-nouns")
STATE_NOUNS = word_list("pipeline.statements", "coref-state-nouns")
ORGANIZATION_NOUNS = word_list("pipeline.statements", "coref-organization-nouns")
GROUP_NOUNS = word_list("pipeline.statements", "coref-group-nouns")
NUMBERS = {"two": 2, "both": 2, "three": 3, "four": 4, "five": 5}
SEARCH_BACK = 4  # how many fitting antecedents to consider before taking the nearest


def _definite(token: Token) -> bool:
    return any(
        c.dep_ in ("det", "predet") and c.lower_ in ("the", "this", "that", "both") for c in token.children
    )


def wants(token: Token) -> str | None:
    """What kind of antecedent a word needs: 'person', 'thing', 'group', 'latter', 'former'."""
    lower, lemma = token.lower_, token.lemma_.lower()
    if lower in PERSON_PRONOUNS:
        return "person"
    if lower in THING_PRONOUNS:
        return "thing"
    if lower in PLURAL_PRONOUNS:
        return "plural"
    if lower in ("latter", "former") and _definite(token):
        return lower
    if token.pos_ != "NOUN":
        return None
    if lower in GROUP_NOUNS and (_definite(token) or any(c.lower_ in NUMBERS for c in token.children)):
        return "group"
    if not _definite(token):
        return None
    if lemma in PERSON_NOUNS:
        return "person"
    if lemma in STATE_NOUNS or lemma in ORGANIZATION_NOUNS:
        return "thing"
    return None


def _before(token: Token, by_token: dict[int, ActorMention]) -> list[ActorMention]:
    """Distinct actor mentions before ``token``, nearest first."""
    found: list[ActorMention] = []
    # by object: each token maps to one mention object, so equal mentions are the same object
    # (and hashing a mention hashes its whole actor entry)
    seen: set[int] = set()
    positions = sorted(by_token)  # the tokens that name actors: far fewer than the tokens
    for k in range(bisect.bisect_left(positions, token.i) - 1, -1, -1):
        mention = by_token[positions[k]]
        if (found and mention is found[-1]) or mention.modifier or id(mention) in seen:
            continue
        seen.add(id(mention))
        found.append(mention)
    return found


def prefer_subject(doc: Doc, mentions: list[ActorMention]) -> ActorMention | None:
    for mention in mentions[:SEARCH_BACK]:
        head = doc[mention.head]
        if head.dep_ in ("nsubj", "nsubjpass") or (head.dep_ == "conj" and head.head.dep_ == "nsubj"):
            return mention
    return mentions[0] if mentions else None


def _group(
    doc: Doc, token: Token, by_token: dict[int, ActorMention], earlier: list[ActorMention]
) -> list[ActorMention]:
    """The latest coordination of actors before ``token`` ('Egypt, Jordan and Qatar'); ``earlier``:
    ``_before(token, by_token)``."""
    size = next((NUMBERS[c.lower_] for c in token.children if c.lower_ in NUMBERS), None)
    for mention in earlier:
        head = doc[mention.head]
        members = {mention, *(by_token[c.i] for c in head.conjuncts if c.i in by_token and c.i < token.i)}
        if len(members) > 1 and (size is None or len(members) == size):
            return sorted(members, key=lambda m: m.start)
    return []


def resolve(doc: Doc, token: Token, by_token: dict[int, ActorMention]) -> list[ActorMention]:
    """The actor(s) a pronoun or definite description stands for; empty when unknown."""
    kind = wants(token)
    if kind is None:
        return []
    return _resolve(doc, token, by_token, kind, _before(token, by_token))


def _resolve(
    doc: Doc, token: Token, by_token: dict[int, ActorMention], kind: str, earlier: list[ActorMention]
) -> list[ActorMention]:
    if kind in ("latter", "former"):
        index = 0 if kind == "latter" else 1
        return [earlier[index]] if len(earlier) > index else []
    if kind in ("group", "plural"):
        group = _group(doc, token, by_token, earlier)
        if group or kind == "group":
            return group
    best = prefer_subject(doc, _fitting(kind, earlier))
    return [best] if best else []


def _fitting(kind: str, earlier: list[ActorMention]) -> list[ActorMention]:
    """The earlier mentions a word of this kind could stand for: a person for 'he', a state or
    body for 'it', 'they' and 'the bloc', anyone for 'the latter'."""
    if kind in ("latter", "former"):
        return earlier
    person = kind == "person"
    return [m for m in earlier if (m.entry.type == "person") == person]


def options(
    doc: Doc, token: Token, by_token: dict[int, ActorMention], limit: int = SEARCH_BACK
) -> list[list[ActorMention]]:
    """The antecedents a pronoun or definite description may have, for a model to choose from:
    ``resolve``'s choice first where it makes one, then the other fitting actors before it,
    nearest first, one option per actor, at most ``limit``. A group's members are options of their
    own too, and where ``resolve`` finds no group ('the three countries' after one state) the
    nearest fitting actors still are: the model, trained on these, decides. Empty when the word
    wants none or none fits."""
    kind = wants(token)
    if kind is None:
        return []
    earlier = _before(token, by_token)
    chosen = _resolve(doc, token, by_token, kind, earlier)
    found = [chosen] if chosen else []
    names = {m.entry.key for m in chosen} if len(chosen) == 1 else set()
    for mention in _fitting(kind, earlier):
        if len(found) >= limit:
            break
        if mention.entry.key not in names:
            names.add(mention.entry.key)
            found.append([mention])
    return found
