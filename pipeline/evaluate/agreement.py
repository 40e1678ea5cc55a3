"""Inter-annotator agreement between two independent passes over the same sentences.

Items are statements aligned one-to-one by holder within a sentence. A statement only one
pass has is paired with the category ``none``, and a sentence where neither pass found a
statement is one ``none``/``none`` item, so the kappa measures the whole decision: whether
a sentence holds a position, whose, and which.
"""

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from pipeline.evaluate.devset import GoldStatement
from pipeline.evaluate.guardian import GoldSentence
from pipeline.evaluate.matching import fold, is_acronym_of, normalise_name
from pipeline.evaluate.pairing import best_pairs

NONE = "none"


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float:
    """Cohen's kappa of two raters' labels; 1.0 when both use one and the same label throughout."""
    if not pairs:
        raise ValueError("kappa needs at least one item")
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    return 1.0 if expected == 1.0 else (observed - expected) / (1.0 - expected)


def _name(name: str) -> str:
    return normalise_name(fold(name) or "")


def same_holder(a: GoldStatement, b: GoldStatement) -> bool:
    if _name(a.holder) == _name(b.holder):
        return True
    if "person" not in (a.holder_type, b.holder_type) and (
        is_acronym_of(a.holder, b.holder) or is_acronym_of(b.holder, a.holder)
    ):
        return True
    if a.holder_type == b.holder_type == "person":
        return _name(a.holder).split()[-1:] == _name(b.holder).split()[-1:]
    return (
        a.holder_type == b.holder_type == "state"
        and bool(a.holder_country)
        and a.holder_country == b.holder_country
    )


def align(first: Sequence[GoldStatement], second: Sequence[GoldStatement]) -> list[tuple]:
    """The optimal one-to-one pairs by holder (then by stance), then the leftovers against None;
    optimal, so swapping the passes gives the same items."""
    pairs: list[tuple] = best_pairs(first, second, same_holder, lambda a, b: a.stance == b.stance)
    paired_first = {id(a) for a, _ in pairs}
    paired_second = {id(b) for _, b in pairs}
    pairs.extend((a, None) for a in first if id(a) not in paired_first)
    pairs.extend((None, b) for b in second if id(b) not in paired_second)
    return pairs


def agreement(
    first: Mapping[str, Sequence[GoldSentence]], second: Mapping[str, Sequence[GoldSentence]]
) -> dict[str, Any]:
    """Kappa and holder agreement over the articles both passes annotated."""
    items: list[tuple[str, str]] = []
    presence: list[tuple[bool, bool]] = []
    aligned = in_first = in_second = 0
    sentences = 0
    articles = sorted(set(first) & set(second))
    for article in articles:
        second_by_index = {s.index: s for s in second[article]}
        for sentence in first[article]:
            other = second_by_index.get(sentence.index)
            if other is None:
                continue
            sentences += 1
            presence.append((bool(sentence.statements), bool(other.statements)))
            in_first += len(sentence.statements)
            in_second += len(other.statements)
            if not sentence.statements and not other.statements:
                items.append((NONE, NONE))
                continue
            for a, b in align(sentence.statements, other.statements):
                aligned += a is not None and b is not None
                items.append((a.stance if a else NONE, b.stance if b else NONE))
    if not items:
        raise ValueError("the two passes share no sentence")
    paired = [(a, b) for a, b in items if NONE not in (a, b)]
    return {
        "articles": len(articles),
        "sentences": sentences,
        "statements_first": in_first,
        "statements_second": in_second,
        "stance_kappa": cohen_kappa(items),
        "stance_kappa_same_holder": cohen_kappa(paired) if paired else None,
        "stance_agreement_same_holder": sum(a == b for a, b in paired) / len(paired) if paired else None,
        "holder_agreement": 2 * aligned / (in_first + in_second) if in_first + in_second else 1.0,
        "statement_presence_kappa": cohen_kappa(presence),
    }
