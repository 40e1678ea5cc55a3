"""Score the classifier on labelled examples: the held-out batches or real-text gold holders."""

from collections.abc import Sequence
from typing import Any

from spacy.language import Language

from pipeline import STANCE_LABELS
from pipeline.nlp import load_nlp
from pipeline.stance.classifier import StanceClassifier, load_classifier
from pipeline.stance.config import StanceConfig, TrainConfig
from pipeline.stance.cues import attach_cues
from pipeline.stance.data import Example, load_examples, split_by_batch
from pipeline.stance.metrics import evaluate_logits


def score_examples(
    examples: Sequence[Example],
    classifier: StanceClassifier,
    nlp: Language,
    *,
    extractor_targets: bool = False,
) -> dict[str, Any]:
    """Every classifier figure on ``examples``; the cue comes from the extractor, as at inference,
    and with ``extractor_targets`` the target too."""
    attached = attach_cues(examples, nlp, extractor_targets=extractor_targets)
    inputs = [example.to_input() for example in attached]
    logits = classifier.logits(inputs)
    return evaluate_logits(
        logits, [e.label for e in examples], STANCE_LABELS, classifier.metadata.temperature
    )


def evaluate_dev(config: StanceConfig, train_config: TrainConfig) -> dict[str, Any]:
    """The held-out writing batches, with the process's (cached) classifier."""
    classifier = load_classifier(config.model_dir, config.device, config.batch_size)
    _, dev = split_by_batch(load_examples(train_config.data_dir), train_config.dev_batches)
    return score_examples(dev, classifier, load_nlp())
