"""Evaluate a trained artefact on the held-out dev batches."""

from typing import Any

from pipeline import STANCE_LABELS
from pipeline.nlp import load_nlp
from pipeline.stance.classifier import StanceClassifier
from pipeline.stance.config import StanceConfig, TrainConfig
from pipeline.stance.cues import attach_cues
from pipeline.stance.data import load_examples, split_by_batch
from pipeline.stance.metrics import evaluate_logits


def evaluate_dev(config: StanceConfig, train_config: TrainConfig) -> dict[str, Any]:
    classifier = StanceClassifier(config)
    _, dev = split_by_batch(load_examples(train_config.data_dir), train_config.dev_batches)
    items = [e.to_input() for e in attach_cues(dev, load_nlp())]
    logits = classifier.logits(items)
    return evaluate_logits(logits, [e.label for e in dev], STANCE_LABELS, classifier.metadata.temperature)
