"""Pure functions that decide whether a predicted statement matches a gold one."""

import re
import unicodedata
from collections.abc import Sequence

from pipeline.evaluate.devset import GoldStatement
from pipeline.output.records import Actor, StatementRecord

WHITESPACE_RE = re.compile(r"\s+")
OVERLAP_CHARS = 40


def fold(text: str | None) -> str | None:
    """Without diacritics: news spells the same name "Erdoğan" and "Erdogan"."""
    if text is None:
        return None
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


ACRONYM_SKIP = frozenset({"of", "the", "for", "and", "on", "in", "to"})


def is_acronym_of(short: str, long: str) -> bool:
    """ "SNC" for "Syrian Negotiations Commission": news names a body once in full, then by
    its initials, and the pipeline and the gold may each keep a different one."""
    letters = short.replace(".", "").strip()
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", long) if w.casefold() not in ACRONYM_SKIP]
    return (
        len(letters) >= 2
        and letters.isupper()
        and len(words) >= 2
        and letters == "".join(w[0] for w in words).upper()
    )


def normalise_name(name: str) -> str:
    name = name.casefold().replace("’", "'").replace(".", "")
    return re.sub(r"^the ", "", WHITESPACE_RE.sub(" ", name).strip())


def normalise_text(text: str) -> str:
    return WHITESPACE_RE.sub(" ", text.replace("**", "")).strip()


def same_sentence(gold_text: str, predicted_text: str) -> bool:
    """Sentence splitters differ at the edges: equal, contained, or sharing a long stretch."""
    gold, predicted = normalise_text(gold_text), normalise_text(predicted_text)
    if not gold or not predicted:
        return False
    return (
        gold in predicted
        or predicted in gold
        or predicted[:OVERLAP_CHARS] in gold
        or gold[:OVERLAP_CHARS] in predicted
    )


def _surname(name: str) -> str:
    parts = normalise_name(name).split()
    return parts[-1] if parts else ""


def actor_matches(name: str | None, country: str | None, kind: str | None, actor: Actor | None) -> bool:
    """A gold actor (name, ISO3, type) and a predicted one are the same actor."""
    if name is None or actor is None:
        return False
    if normalise_name(name) in (normalise_name(actor.name), normalise_name(actor.mention)):
        return True
    if kind == "person" and actor.type == "person":
        return _surname(name) == _surname(actor.name)
    collective = ("state", "organization", "group", "other", None)
    return bool(country) and actor.country_code == country and kind in collective and actor.type != "person"


def holder_matches(gold: GoldStatement, predicted: StatementRecord) -> bool:
    return actor_matches(gold.holder, gold.holder_country, gold.holder_type, predicted.holder)


def match_statements(
    golds: Sequence[GoldStatement], predictions: Sequence[StatementRecord]
) -> list[tuple[GoldStatement, StatementRecord]]:
    """One-to-one pairs by holder, preferring a prediction with the gold stance."""
    free = list(predictions)
    pairs = []
    for gold in golds:
        fitting = [p for p in free if holder_matches(gold, p)]
        if not fitting:
            continue
        best = next((p for p in fitting if p.stance == gold.stance), fitting[0])
        free.remove(best)
        pairs.append((gold, best))
    return pairs


def ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def prf(true_positives: int, predicted: int, gold: int) -> dict[str, float]:
    precision, recall = ratio(true_positives, predicted), ratio(true_positives, gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": true_positives,
        "predicted": predicted,
        "gold": gold,
    }
