"""Actors stage: a gazetteer and a spaCy component that resolve mentions to canonical actors."""

from pipeline.actors.config import ActorsConfig
from pipeline.actors.errors import GazetteerError
from pipeline.actors.gazetteer import ActorEntry, Gazetteer, build_gazetteer, load_gazetteer
from pipeline.actors.mentions import ActorMention, actor_by_token, register_extensions, to_actor

__all__ = [
    "ActorEntry",
    "ActorMention",
    "ActorsConfig",
    "Gazetteer",
    "GazetteerError",
    "actor_by_token",
    "build_gazetteer",
    "load_gazetteer",
    "register_extensions",
    "to_actor",
]
