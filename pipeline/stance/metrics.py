"""Classification metrics and calibration, as pure functions over labels and probabilities."""

import math
from collections.abc import Sequence

from pipeline.stance.classifier import softmax

DECISIVE_LABELS = ("support", "refusal", "mediation")


def confusion_matrix(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Rows are gold labels, columns predictions, both in ``labels`` order."""
    if not gold:
        return [[0] * len(labels) for _ in labels]
    from sklearn import metrics  # here: see per_label_scores

    return metrics.confusion_matrix(gold, predicted, labels=list(labels)).tolist()


def per_label_scores(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support (gold count) per label; 0.0 where undefined."""
    if not gold:
        return {label: {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0} for label in labels}
    # imported here, not at the top: a run's processing version is read through a chain of
    # imports that reaches this module, and scikit-learn would add a second to every no-op rerun
    from sklearn import metrics

    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        gold, predicted, labels=list(labels), zero_division=0.0
    )
    return {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(n)}
        for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
    }


def macro_f1(scores: dict[str, dict[str, float]], labels: Sequence[str] = DECISIVE_LABELS) -> float:
    present = [label for label in labels if label in scores]
    return sum(scores[label]["f1"] for label in present) / max(len(present), 1)


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """Weighted gap between confidence and accuracy over equal-width confidence bins."""
    if not confidences:
        return 0.0
    total = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [i for i, c in enumerate(confidences) if low < c <= high or (b == 0 and c == 0.0)]
        if not members:
            continue
        accuracy = sum(correct[i] for i in members) / len(members)
        confidence = sum(confidences[i] for i in members) / len(members)
        total += len(members) / len(confidences) * abs(accuracy - confidence)
    return total


def negative_log_likelihood(
    logits: Sequence[Sequence[float]], gold: Sequence[int], temperature: float
) -> float:
    total = 0.0
    for row, g in zip(logits, gold, strict=True):
        probabilities = softmax([v / temperature for v in row])
        total -= math.log(max(probabilities[g], 1e-12))
    return total / max(len(gold), 1)


def fit_temperature(logits: Sequence[Sequence[float]], gold: Sequence[int]) -> float:
    """Temperature scaling: the T in [0.25, 10] minimising dev NLL (a deterministic grid)."""
    grid = [round(0.25 + 0.05 * i, 2) for i in range(196)]
    return min(grid, key=lambda t: (negative_log_likelihood(logits, gold, t), t))


def evaluate_logits(
    logits: Sequence[Sequence[float]], gold: Sequence[str], labels: Sequence[str], temperature: float
) -> dict[str, object]:
    """Every figure the model card and `stance evaluate` report."""
    probabilities = [softmax([v / temperature for v in row]) for row in logits]
    predicted = [labels[max(range(len(labels)), key=lambda i: p[i])] for p in probabilities]
    confidences = [max(p) for p in probabilities]
    correct = [g == p for g, p in zip(gold, predicted, strict=True)]
    scores = per_label_scores(gold, predicted, labels)
    return {
        "examples": len(gold),
        "accuracy": sum(correct) / max(len(correct), 1),
        "macro_f1_support_refusal_mediation": macro_f1(scores),
        "macro_f1_all": macro_f1(scores, labels),
        "per_label": scores,
        "confusion_matrix": {
            "labels": list(labels),
            "rows_gold_columns_predicted": confusion_matrix(gold, predicted, labels),
        },
        "ece": expected_calibration_error(confidences, correct),
        "temperature": temperature,
    }
