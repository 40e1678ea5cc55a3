from pipeline import STANCE_LABELS
from pipeline.stance.artefact import ModelMetadata
from pipeline.stance.card import render_model_card
from pipeline.stance.config import TrainConfig
from pipeline.stance.metrics import evaluate_logits

LOGITS = [[3.0, 0, 0, 0, 0], [0, 3.0, 0, 0, 0], [0, 0, 3.0, 0, 0], [0, 0, 0, 0, 3.0]]
GOLD = ["support", "refusal", "support", "neutral"]


def _metrics() -> dict:
    report = evaluate_logits(LOGITS, GOLD, STANCE_LABELS, 1.0)
    return {
        "uncalibrated": report,
        "calibrated": report,
        "train_label_counts": {},
        "dev_label_counts": {},
        "dev_batches": ["batch-x"],
        "device": "cpu",
    }


def _metadata() -> ModelMetadata:
    return ModelMetadata(
        name="stance-minilm",
        version="9.9.9",
        label_scheme="scheme-v1",
        labels=list(STANCE_LABELS),
        base_model="base",
        max_length=64,
        input_format=2,
        temperature=1.5,
        seed=1,
        train_examples=10,
        dev_examples=4,
    )


def test_card_without_real_text_says_how_to_record_it():
    card = render_model_card(_metadata(), _metrics(), TrainConfig())
    assert card.startswith("# Model card: stance-minilm@9.9.9")
    assert "| mediation | 0.000 | 0.000 | 0.000 | 0 |" in card
    assert "stance evaluate --record" in card


def test_card_with_real_text_has_a_row_per_part():
    extraction = {"sentences": 4, "statement_recall": 0.5, "holder_and_stance": {"f1": 0.25}}
    part = {
        "extraction": extraction,
        "classifier_on_gold_holders": evaluate_logits(LOGITS, GOLD, STANCE_LABELS, 1.0),
    }
    card = render_model_card(_metadata(), _metrics(), TrainConfig(), {"parts": {"ungdc": part}, "all": part})
    assert "| ungdc | 4 | 0.500 | 0.250 |" in card and "| all | 4 | 0.500 | 0.250 |" in card
    assert "stance evaluate --record" not in card
    assert "| all | 4 | 0.500 | 0.250 | " in card and " | - | " in card  # older reports lack the second score

    scores = evaluate_logits(LOGITS, GOLD, STANCE_LABELS, 1.0)
    both = {**part, "classifier_with_extractor_targets": scores}
    card = render_model_card(_metadata(), _metrics(), TrainConfig(), {"parts": {"ungdc": both}, "all": both})
    f1 = f"{scores['macro_f1_support_refusal_mediation']:.3f}"
    assert f"| all | 4 | 0.500 | 0.250 | {f1} | {f1} |" in card


def test_card_limitations_quote_the_recorded_real_text_figures():
    scores = evaluate_logits(LOGITS, GOLD, STANCE_LABELS, 1.0)
    part = {
        "extraction": {"sentences": 4, "statement_recall": 0.5, "holder_and_stance": {"f1": 0.25}},
        "classifier_on_gold_holders": scores,
    }
    card = render_model_card(_metadata(), _metrics(), TrainConfig(), {"parts": {}, "all": part})
    recall = scores["per_label"]["neutral"]["recall"]
    assert f"under-predicts neutral (recall {recall:.2f} on the real-text dev set)" in card
    per_label = scores["per_label"]
    weakest = min(("support", "refusal", "mediation"), key=lambda label: per_label[label]["f1"])
    figure = f"{per_label[weakest]['f1']:.2f}"
    assert f"{weakest} is the weakest stance label (F1 {figure} on the real-text dev set)" in card
    assert (
        "recall" not in render_model_card(_metadata(), _metrics(), TrainConfig()).split("## Limitations")[1]
    )
