"""One encoder pass per sentence: the token vectors every candidate of the sentence is read from."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy


@dataclass(frozen=True)
class EncodedSentence:
    """Last-layer vectors of a sentence's word pieces and their character offsets in it."""

    states: numpy.ndarray  # (pieces, hidden), special tokens included
    offsets: list[tuple[int, int]]  # (0, 0) for the special tokens

    @cached_property
    def _bounds(self) -> tuple[numpy.ndarray, numpy.ndarray]:
        bounds = numpy.asarray(self.offsets, dtype=numpy.int64).reshape(-1, 2)
        return bounds[:, 0], bounds[:, 1]

    def pieces(self, start: int, end: int) -> list[int]:
        """Word pieces overlapping characters ``start``..``end`` of the sentence."""
        starts, ends = self._bounds
        return numpy.flatnonzero((ends > starts) & (starts < end) & (ends > start)).tolist()

    def mean(self, start: int, end: int) -> numpy.ndarray | None:
        rows = self.pieces(start, end)
        return self.states[rows].mean(axis=0) if rows else None

    def sentence_mean(self) -> numpy.ndarray:
        rows = [i for i, (s, e) in enumerate(self.offsets) if e > s]
        return self.states[rows].mean(axis=0) if rows else self.states.mean(axis=0)


def truncate(model: Any, depth: int | None) -> Any:
    """The model with its first ``depth`` transformer layers only (None: all of them). Middle layers
    of all-mpnet-base-v2 serve attribution better than its last ones, at half the cost."""
    if depth is not None:
        model.encoder.layer = model.encoder.layer[:depth]
        model.config.num_hidden_layers = depth
    return model


class SentenceEncoder:
    """A frozen sentence-transformers encoder (MiniLM, MPNet), loaded once, run on the CPU
    or GPU in batches of similar length. ``adapter``: a trained adapter file (``adapter.py``)
    whose updates are merged into the weights."""

    def __init__(
        self,
        base_dir: Path,
        max_length: int = 256,
        batch_size: int = 32,
        device: str = "cpu",
        layers: int = 1,
        depth: int | None = None,
        adapter: Path | None = None,
    ):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
        model = truncate(AutoModel.from_pretrained(str(base_dir)), depth)
        if adapter is not None:  # a trained adapter's updates merged into the weights (adapter.py)
            from pipeline.attribution.adapter import Adapter

            Adapter.load(adapter).merge_into(model)
        self.model = model.to(device).eval()
        self.max_length = max_length
        self.batch_size = batch_size
        self.device = device
        self.layers = layers  # vectors are the mean of the last ``layers`` layers

    @property
    def hidden_size(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, texts: Sequence[str]) -> list[EncodedSentence]:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        results: list[Any] = [None] * len(texts)
        for begin in range(0, len(order), self.batch_size):
            rows = order[begin : begin + self.batch_size]
            batch = self.tokenizer(
                [texts[i] for i in rows],
                truncation=True,
                max_length=self.max_length,
                padding=True,
                return_offsets_mapping=True,
                return_tensors="pt",
            )
            offsets = batch.pop("offset_mapping").tolist()
            with self.torch.inference_mode():
                output = self.model(
                    **{k: v.to(self.device) for k, v in batch.items()}, output_hidden_states=self.layers > 1
                )
                if self.layers > 1:
                    states = self.torch.stack(output.hidden_states[-self.layers :]).mean(dim=0)
                else:
                    states = output.last_hidden_state
            states = states.float().cpu().numpy()
            lengths = batch["attention_mask"].sum(dim=1).tolist()
            for k, i in enumerate(rows):
                n = int(lengths[k])
                results[i] = EncodedSentence(states[k, :n], [tuple(o) for o in offsets[k][:n]])
        return results
