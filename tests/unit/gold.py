"""Gold statements and predicted actors built by hand, for the tests of scoring and training labels."""

from pipeline.evaluate.devset import GoldStatement
from pipeline.output.records import Actor


def gold(holder, stance, kind="state", country=None, mention=None, **extra) -> GoldStatement:
    return GoldStatement(
        holder,
        mention or holder,
        country,
        kind,
        extra.pop("speaker", None),
        None,
        None,
        stance,
        tuple(extra.pop("flags", ())),
        **extra,
    )


def actor(name, kind="state", code=None, mention=None) -> Actor:
    return Actor(name=name, mention=mention or name, type=kind, country_code=code)
