"""One-to-one pairing of two lists of statements: as many pairs as possible, then as many
pairs with the same label as possible (an optimal assignment, not a greedy one, so the
result does not depend on the order of either list)."""

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
from scipy.optimize import linear_sum_assignment

A = TypeVar("A")
B = TypeVar("B")


def best_pairs(
    left: Sequence[A],
    right: Sequence[B],
    same_actor: Callable[[A, B], bool],
    same_label: Callable[[A, B], bool],
) -> list[tuple[A, B]]:
    """Pairs (left, right) of the same actor, most pairs first, then most with the same label."""
    if not left or not right:
        return []
    # a pair is worth more than any number of label agreements: lexicographic by weight
    pair_weight = float(min(len(left), len(right)) + 1)
    weights = np.zeros((len(left), len(right)))
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            if same_actor(a, b):
                weights[i, j] = pair_weight + (1.0 if same_label(a, b) else 0.0)
    rows, columns = linear_sum_assignment(weights, maximize=True)
    return [(left[i], right[j]) for i, j in zip(rows, columns, strict=True) if weights[i, j] > 0]
