"""`stance train` as a Prefect flow, shortened to a few steps; the artefact must load and be small."""

import json

import pytest

from pipeline import STANCE_LABELS
from pipeline.stance.classifier import StanceClassifier, StanceInput
from pipeline.stance.config import MODEL_VERSION, StanceConfig, TrainConfig

pytestmark = [pytest.mark.flow, pytest.mark.slow]


def test_short_training_run_writes_a_loadable_small_artefact(tmp_path):
    from flows.train import train_flow

    extra = tmp_path / "corrections.jsonl"
    extra.write_text(
        json.dumps(
            {"text": "Chile backed the truce plan.", "holder": "Chile", "target": None, "label": "support"}
        )
        + "\n",
        encoding="utf-8",
    )
    output = tmp_path / "model"
    metrics = train_flow(TrainConfig(output_dir=output, max_steps=2, extra_data=(extra,)))

    names = {p.name for p in output.iterdir()}
    assert {
        "adapter_model.safetensors",
        "adapter_config.json",
        "head.safetensors",
        "stance_model.json",
        "README.md",
    } <= names
    assert sum(p.stat().st_size for p in output.iterdir()) < 10 * 1024 * 1024
    card = (output / "README.md").read_text()
    assert "| support |" in card and "Confusion matrix" in card and "calibration error" in card
    assert set(metrics["calibrated"]["per_label"]) == set(STANCE_LABELS)
    assert metrics["train_label_counts"]["support"] >= 1

    classifier = StanceClassifier(StanceConfig(model_dir=output))
    [prediction] = classifier.predict([StanceInput("Chile backed the truce plan.", 0, 5, None)])
    assert set(prediction.scores) == set(STANCE_LABELS)
    assert abs(sum(prediction.scores.values()) - 1.0) < 0.01
    assert classifier.tag == f"stance-minilm@{MODEL_VERSION}"


def test_training_is_seeded_and_reproducible(tmp_path):
    from pipeline.stance.training import train_stance_model

    first, second = tmp_path / "first", tmp_path / "second"
    for output in (first, second):
        train_stance_model(TrainConfig(output_dir=output, max_steps=2), log=lambda message: None)
    for name in ("adapter_model.safetensors", "head.safetensors"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert (first / "metrics.json").read_text() == (second / "metrics.json").read_text()
