"""Whom an actor speaks for (``affiliation``) and its ``sector`` (schema 1.1), from what the
gazetteer knows of it: its type, its country and the kind of office its title names."""

from pipeline.actors.gazetteer import Gazetteer
from pipeline.output.records import Actor, ActorRef

# offices whose holder speaks for their state; legislators and experts speak for themselves
STATE_VOICES = frozenset(
    {"head_of_state", "head_of_government", "minister", "diplomat", "military", "official", "spokesperson"}
)
TYPE_SECTORS = {
    "state": "government",
    "armed_group": "rebel",
    "group": "rebel",
    "court": "government",
    "company": "business",
    "media": "media",
}


def _title_kind(actor: Actor, gazetteer: Gazetteer) -> str | None:
    return gazetteer.title_kinds.get(actor.title) if actor.title else None


def affiliation(actor: Actor, gazetteer: Gazetteer) -> ActorRef | None:
    """The state an official person speaks for; None for anyone else."""
    if actor.type != "person" or actor.country_code is None:
        return None
    if _title_kind(actor, gazetteer) not in STATE_VOICES:
        return None
    state = gazetteer.states.get(actor.country_code)
    if state is None:
        return None
    return ActorRef(name=state.name, type="state", country_code=state.country_code, id=state.wikidata)


def sector(actor: Actor, gazetteer: Gazetteer) -> str | None:
    if actor.name in gazetteer.sectors:
        return gazetteer.sectors[actor.name] or None
    if actor.type == "person":
        kind = _title_kind(actor, gazetteer)
        if kind == "military":
            return "military"
        return "government" if kind in STATE_VOICES and actor.country_code else None
    if actor.type == "organization":
        if actor.country_code:
            return "government"
        # only the gazetteer's organisations are known to be intergovernmental; a name the
        # parser found (a newspaper, a charity, a company) has no sector we can vouch for
        return "IGO" if actor.name in gazetteer.organizations else None
    return TYPE_SECTORS.get(actor.type)


def with_roles(actor: Actor | None, gazetteer: Gazetteer) -> Actor | None:
    """The actor with its affiliation and sector filled in."""
    if actor is None:
        return None
    return actor.model_copy(
        update={"affiliation": affiliation(actor, gazetteer), "sector": sector(actor, gazetteer)}
    )


__all__ = ["affiliation", "sector", "with_roles"]
