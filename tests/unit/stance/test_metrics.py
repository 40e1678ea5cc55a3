import math

import pytest

from pipeline.stance.metrics import (
    confusion_matrix,
    evaluate_logits,
    expected_calibration_error,
    fit_temperature,
    macro_f1,
    per_label_scores,
)

LABELS = ("support", "refusal", "mediation", "opposition", "neutral")


def test_per_label_scores_and_confusion():
    gold = ["support", "support", "refusal", "mediation"]
    pred = ["support", "refusal", "refusal", "neutral"]
    scores = per_label_scores(gold, pred, LABELS)
    assert scores["support"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert scores["refusal"]["precision"] == 0.5 and scores["refusal"]["recall"] == 1.0
    assert scores["mediation"]["f1"] == 0.0
    assert macro_f1(scores) == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)
    matrix = confusion_matrix(gold, pred, LABELS)
    assert matrix[0] == [1, 1, 0, 0, 0] and matrix[2] == [0, 0, 0, 0, 1]


def test_ece_is_zero_when_confidence_matches_accuracy():
    assert expected_calibration_error([1.0, 1.0], [True, True]) == 0.0
    assert expected_calibration_error([0.9, 0.9], [False, False]) == pytest.approx(0.9)


def test_temperature_softens_overconfident_logits():
    # confident logits, half of them wrong: the best temperature is above 1
    logits = [[8.0, 0.0], [8.0, 0.0], [0.0, 8.0], [0.0, 8.0]]
    gold = [0, 1, 1, 0]
    assert fit_temperature(logits, gold) > 1.0
    report = evaluate_logits(
        logits, ["support", "refusal", "refusal", "support"], ("support", "refusal"), 1.0
    )
    assert report["accuracy"] == 0.5
    assert math.isclose(report["ece"], 0.5, abs_tol=0.01)
