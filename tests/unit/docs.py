"""Build parsed Docs by hand for rule tests: no model involved."""

import spacy
from spacy.tokens import Doc

from pipeline.actors import ActorEntry, ActorMention, register_extensions

VOCAB = spacy.blank("en").vocab


def state(iso3: str, name: str) -> ActorEntry:
    return ActorEntry(iso3, name, "state", name, iso3)


def person(name: str, iso3: str | None = None) -> ActorEntry:
    return ActorEntry(name, name, "person", None, iso3)


def parse(rows: str, actors: dict[int, ActorEntry]) -> Doc:
    """rows: one 'word head dep pos lemma' line per token (head is an absolute index)."""
    table = [line.split() for line in rows.strip().splitlines()]
    doc = Doc(
        VOCAB,
        words=[r[0] for r in table],
        heads=[int(r[1]) for r in table],
        deps=[r[2] for r in table],
        pos=[r[3] for r in table],
        lemmas=[r[4] for r in table],
    )
    register_extensions()
    doc._.actors = [ActorMention(i, i + 1, i, entry) for i, entry in sorted(actors.items())]
    return doc
