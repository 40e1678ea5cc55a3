"""Statement candidates found in a parsed sentence."""

from dataclasses import dataclass

from pipeline.actors.mentions import ActorMention


@dataclass
class Candidate:
    """One attributed statement: who holds it, who voiced it, about whom, and its cue.

    ``holder`` is None while a pronoun ('it', 'he', 'the minister') waits for an antecedent
    from earlier blocks of the article; ``pronoun`` then holds the token index.
    """

    sent_start: int
    sent_end: int
    predicate: int
    cue: str
    cue_token: int
    holder: ActorMention | None
    holder_token: int
    pronoun: int | None = None
    speaker: ActorMention | None = None
    target: ActorMention | None = None
    negated: bool = False
    conditional: bool = False
    hedged: bool = False
    kind: str = "action"
    # a copy made for the second, third ... of coordinated targets ('on Iran, Libya and Cuba')
    split_target: bool = False
