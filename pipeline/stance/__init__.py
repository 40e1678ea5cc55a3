"""Stance stage: the project's own MiniLM classifier, its training data, training and metrics."""

from pipeline.stance.classifier import StanceClassifier, StancePrediction, load_classifier
from pipeline.stance.config import StanceConfig, TrainConfig
from pipeline.stance.errors import ModelError, TrainingDataError
from pipeline.stance.inputs import StanceInput

__all__ = [
    "ModelError",
    "StanceClassifier",
    "StanceConfig",
    "StanceInput",
    "StancePrediction",
    "TrainConfig",
    "TrainingDataError",
    "load_classifier",
]
