"""Classification metrics and calibration, as pure functions over labels and probabilities."""

import math
from collections.abc import Sequence

from pipeline.stance.classifier import softmax

DECISIVE_LABELS = ("support", "refusal", "mediation")


def confusion_matrix(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Rows are gold labels, columns predictions, both in ``labels`` order."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    return matrix


def per_label_scores(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, float]]:
    scores = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return scores


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
