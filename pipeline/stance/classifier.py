"""Stance inference: MiniLM with LoRA adapters and holder-marker heads (an ensemble of members),
loaded once per process."""

import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.offline import ensure_offline
from pipeline.stance.artefact import ModelMetadata, read_metadata
from pipeline.stance.config import StanceConfig, default_base_model_dir
from pipeline.stance.errors import ModelError
from pipeline.stance.inputs import StanceInput, marks_cue
from pipeline.stance.network import HEAD_FILE, NETWORK, build_network, encode_pairs, load_head

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
        from transformers import AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()

        self.config = config
        self.metadata: ModelMetadata = read_metadata(config.model_dir)
        if self.metadata.network != NETWORK:
            raise ModelError(
                f"{config.model_dir}: {self.metadata.tag} uses the '{self.metadata.network}' network, "
                f"this version reads '{NETWORK}' models; retrain it with `stance train`"
            )
        self.labels = list(self.metadata.labels)
        self.device = pick_device(config.device)
        base_dir = default_base_model_dir()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{base_dir}: cannot load the MiniLM tokenizer ({exc})") from exc
        self.members = [
            self._load_member(base_dir, config.model_dir / folder).eval().to(self.device)
            for folder in self.metadata.members
        ]
        self._torch = torch

    def _load_member(self, base_dir: Path, folder: Path) -> Any:
        """One adapter and head on a fresh copy of MiniLM, the adapter folded into its weights."""
        from peft import PeftModel
        from transformers import AutoModel

        try:
            with warnings.catch_warnings():
                # peft calls a transformers method that transformers 5 renamed; harmless
                warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
                encoder = PeftModel.from_pretrained(AutoModel.from_pretrained(str(base_dir)), str(folder))
            # folding the adapter into the base weights makes inference as fast as the plain model
            network = build_network(
                encoder.merge_and_unload(), len(self.labels), read_cue=marks_cue(self.metadata.input_format)
            )
            load_head(network, folder / HEAD_FILE)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(f"{folder}: cannot load the stance model ({exc})") from exc
        return network

    @property
    def tag(self) -> str:
        return self.metadata.tag

    def logits(self, items: list[StanceInput]) -> list[list[float]]:
        """The members' mean logits, in the order of ``items``; batches are formed from inputs
        of similar length, so little of each batch is padding."""
        torch = self._torch
        rows: list[list[float]] = [[] for _ in items]
        max_length = min(self.config.max_length, self.metadata.max_length)
        order = sorted(range(len(items)), key=lambda i: len(items[i].sentence))
        for start in range(0, len(order), self.config.batch_size):
            chosen = order[start : start + self.config.batch_size]
            encoded = encode_pairs(
                self.tokenizer,
                [items[i] for i in chosen],
                self.metadata.input_format,
                max_length,
                padding=True,
                return_tensors="pt",
            )
            encoded = encoded.to(self.device)
            with torch.inference_mode():
                # the members vote by their mean logits; calibration was fitted on that mean
                logits = torch.stack([member(**encoded).logits.float() for member in self.members])
                batch_rows = logits.mean(dim=0).cpu().tolist()
            for index, row in zip(chosen, batch_rows, strict=True):
                rows[index] = row
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
def load_classifier(model_dir: Path, device: str, batch_size: int) -> StanceClassifier:
    """One classifier per process and artefact: loading the weights costs seconds."""
    return StanceClassifier(StanceConfig(model_dir=model_dir, device=device, batch_size=batch_size))
