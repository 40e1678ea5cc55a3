"""Percentile bootstrap over units (articles): the spread of a figure computed from summed counts.

Articles, not statements, are resampled because statements of one article share a writer,
a topic and the extractor's mistakes; resampling statements would make the interval too
narrow.
"""

from collections.abc import Callable, Mapping, Sequence

import numpy as np

Counts = Mapping[str, float]


def bootstrap_interval(
    units: Sequence[Counts],
    figure: Callable[[Counts], float],
    *,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """The ``confidence`` percentile interval of ``figure`` over ``resamples`` draws of the
    units with replacement; each draw sums its units' counts before the figure is taken."""
    return bootstrap_intervals(
        units, {"figure": figure}, resamples=resamples, seed=seed, confidence=confidence
    )["figure"]


def bootstrap_intervals(
    units: Sequence[Counts],
    figures: Mapping[str, Callable[[Counts], float]],
    *,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """Like :func:`bootstrap_interval` for several figures over the same draws."""
    if not units:
        raise ValueError("bootstrap needs at least one unit")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie in (0, 1)")
    keys = sorted({key for unit in units for key in unit})
    matrix = np.array([[float(unit.get(key, 0.0)) for key in keys] for unit in units])
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(units), size=(resamples, len(units)))
    # how often each unit is drawn, per resample: the sums are then one matrix product
    weights = np.zeros((resamples, len(units)))
    np.add.at(weights, (np.repeat(np.arange(resamples), len(units)), draws.ravel()), 1.0)
    sums = weights @ matrix
    tail = (1.0 - confidence) / 2.0 * 100.0
    intervals = {}
    for name, figure in figures.items():
        values = np.array([figure(dict(zip(keys, row, strict=True))) for row in sums])
        low, high = np.percentile(values, [tail, 100.0 - tail])
        intervals[name] = (float(low), float(high))
    return intervals
