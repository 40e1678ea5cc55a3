"""Stance inference: MiniLM with the project's LoRA adapter and head, loaded once per process."""

import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.offline import ensure_offline
from pipeline.stance.artefact import ModelMetadata, read_metadata
from pipeline.stance.config import StanceConfig, default_base_model_dir
from pipeline.stance.errors import ModelError
from pipeline.stance.inputs import StanceInput, format_pair

SCORE_DECIMALS = 4


@dataclass(frozen=True)
class StancePrediction:
    label: str
    confidence: float
    scores: dict[str, float]


def pick_device(requested: str) -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelError("device 'cuda' was requested but no CUDA device is available")
    return requested


class StanceClassifier:
    """Batched, calibrated stance scores for statement candidates."""

    def __init__(self, config: StanceConfig) -> None:
        ensure_offline()
        import torch
        from peft import PeftModel
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        # the base checkpoint has no classification head: the load report is expected noise
        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()

        self.config = config
        self.metadata: ModelMetadata = read_metadata(config.model_dir)
        self.labels = list(self.metadata.labels)
        self.device = pick_device(config.device)
        base_dir = default_base_model_dir()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
            base = AutoModelForSequenceClassification.from_pretrained(
                str(base_dir),
                num_labels=len(self.labels),
                id2label=dict(enumerate(self.labels)),
                label2id={label: i for i, label in enumerate(self.labels)},
            )
            with warnings.catch_warnings():
                # peft calls a transformers method that transformers 5 renamed; harmless
                warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
                model = PeftModel.from_pretrained(base, str(config.model_dir))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{config.model_dir}: cannot load the stance model ({exc})") from exc
        # folding the adapter into the base weights makes inference as fast as the plain model
        self.model = model.merge_and_unload().eval().to(self.device)
        self._torch = torch

    @property
    def tag(self) -> str:
        return self.metadata.tag

    def logits(self, items: list[StanceInput]) -> list[list[float]]:
        torch = self._torch
        rows: list[list[float]] = []
        max_length = min(self.config.max_length, self.metadata.max_length)
        for start in range(0, len(items), self.config.batch_size):
            batch = items[start : start + self.config.batch_size]
            pairs = [format_pair(item, self.metadata.input_format) for item in batch]
            encoded = self.tokenizer(
                [p[0] for p in pairs],
                [p[1] for p in pairs],
                padding=True,
                truncation="only_second",
                max_length=max_length,
                return_tensors="pt",
            ).to(self.device)
            with torch.inference_mode():
                rows.extend(self.model(**encoded).logits.float().cpu().tolist())
        return rows

    def predict(self, items: list[StanceInput]) -> list[StancePrediction]:
        if not items:
            return []
        return [self._prediction(row) for row in self.logits(items)]

    def _prediction(self, logits: list[float]) -> StancePrediction:
        probabilities = softmax([value / self.metadata.temperature for value in logits])
        # rounding keeps files byte-identical across batch sizes and thread counts
        scores = {
            label: round(p, SCORE_DECIMALS) for label, p in zip(self.labels, probabilities, strict=True)
        }
        # rounding is monotonic, so the most probable label also has the highest rounded score
        label = self.labels[max(range(len(self.labels)), key=lambda i: (probabilities[i], -i))]
        return StancePrediction(label=label, confidence=scores[label], scores=scores)


def softmax(values: list[float]) -> list[float]:
    import math

    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


@cache
def load_classifier(model_dir: Path, device: str = "auto", batch_size: int = 32) -> StanceClassifier:
    """One classifier per process and artefact: loading the weights costs seconds."""
    return StanceClassifier(StanceConfig(model_dir=model_dir, device=device, batch_size=batch_size))
