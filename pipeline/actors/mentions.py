"""Actor mentions found in a Doc and their conversion to output records."""

from dataclasses import dataclass

from spacy.tokens import Doc, Span

from pipeline.actors.gazetteer import ActorEntry
from pipeline.output.records import Actor


@dataclass(frozen=True)
class ActorMention:
    """Tokens ``start``..``end`` of a Doc that name ``entry``; ``head`` is the token i of the
    word that carries the mention's syntactic role (the person's surname, the noun of
    'Russian officials', the name itself)."""

    start: int
    end: int
    head: int
    entry: ActorEntry
    modifier: bool = False
    # 'Hungarian and Romanian officials': the other states' words inside this mention, each
    # speaking with the same head noun
    coordinated: tuple["ActorMention", ...] = ()

    def span(self, doc: Doc) -> Span:
        return doc[self.start : self.end]

    def to_actor(self, doc: Doc) -> Actor:
        # a mention without words (a speech's author) is named by its canonical name
        return to_actor(self.entry, self.span(doc).text or self.entry.name)


def to_actor(entry: ActorEntry, mention: str) -> Actor:
    return Actor(
        name=entry.name,
        mention=mention,
        type=entry.type,  # type: ignore[arg-type]
        country=entry.country,
        country_code=entry.country_code,
        id=entry.wikidata,
        title=entry.title,
    )


def register_extensions() -> None:
    """Doc extensions used by the components; registering twice is harmless."""
    if not Doc.has_extension("actors"):
        Doc.set_extension("actors", default=None)
    if not Doc.has_extension("statement_candidates"):
        Doc.set_extension("statement_candidates", default=None)
    if not Doc.has_extension("quotes"):
        Doc.set_extension("quotes", default=None)


def actor_by_token(doc: Doc) -> dict[int, ActorMention]:
    """Map every token inside an actor mention to that mention."""
    mapping: dict[int, ActorMention] = {}
    for mention in doc._.actors or ():
        for i in range(mention.start, mention.end):
            mapping[i] = mention
    return mapping
