"""The attribution model's artefact behind one class: ``fit``, ``save``, ``load``, ``scores``.

The folder holds ``attribution.json`` (name, version, encoder, labels, feature layout, the
decision threshold and the training figures) and ``head.safetensors`` (the feature scaling, the
two layers of each head and, where ``marker`` is set, each head's marked-token reader, marker.py),
in half precision: 8 MB for five heads of 256. The encoder's weights come from their package.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy

from pipeline import STANCE_LABELS
from pipeline.attribution.adapter import ADAPTER_FILE
from pipeline.attribution.marker import MarkerLayer, TokenRows, fit_marker_heads
from pipeline.stance.errors import ModelError

META_FILE = "attribution.json"
HEAD_FILE = "head.safetensors"
FORMAT = 1
LABELS = (*STANCE_LABELS, "target", "speaker")  # the head's columns


@dataclass
class AttributionMetadata:
    name: str
    version: str
    encoder: str
    features: int
    hidden: int
    threshold: float
    layers: int = 1  # the encoder vectors are the mean of its last ``layers`` layers
    depth: int | None = None  # the encoder's first ``depth`` transformer layers (None: all)
    members: int = 1  # heads trained with seeds seed, seed + 1, ...; their scores are averaged
    rules: bool = True  # the features end with the dependency rules' votes
    marker: int = 0  # the marked-token reader's width (marker.py); 0: the head reads the rows only
    adapter: int = 0  # the rank of the encoder's trained adapter (adapter.py, adapter.safetensors); 0: none
    labels: tuple[str, ...] = LABELS
    format: int = FORMAT
    training: dict[str, Any] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        return f"{self.name}@{self.version}"

    def adapter_file(self, folder: Path) -> Path | None:
        """The encoder adapter this model's rows were read with (in its folder), None without."""
        if not self.adapter:
            return None
        path = folder / ADAPTER_FILE
        if not path.is_file():
            raise ModelError(f"{folder}: {self.tag} reads an adapted encoder and {ADAPTER_FILE} is missing")
        return path


def _head(features: int, hidden: int, labels: int) -> Any:
    from torch import nn

    return nn.Sequential(
        nn.Dropout(0.1), nn.Linear(features, hidden), nn.ReLU(), nn.Dropout(0.2), nn.Linear(hidden, labels)
    )


def read_attribution_metadata(folder: Path) -> AttributionMetadata:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ModelError(
                f"{folder}: attribution format {meta.get('format')}, this version reads {FORMAT}"
            )
        return AttributionMetadata(**{**meta, "labels": tuple(meta["labels"])})
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelError(f"{folder}: not a readable attribution model ({exc})") from exc


@dataclass(frozen=True)
class Head:
    """One trained head as arrays: ``relu(x @ w1.T + b1) @ w2.T + b2`` gives the label logits;
    with a marked-token reader, its pooled outputs join the hidden layer before ``w2``."""

    w1: numpy.ndarray
    b1: numpy.ndarray
    w2: numpy.ndarray
    b2: numpy.ndarray
    marker: MarkerLayer | None = None

    def logits(self, x: numpy.ndarray, tokens: TokenRows | None = None) -> numpy.ndarray:
        hidden = numpy.maximum(x @ self.w1.T + self.b1, 0.0)
        if self.marker is not None:
            hidden = numpy.concatenate([hidden, self.marker.pooled(tokens)], axis=1)
        return hidden @ self.w2.T + self.b2

    def tensors(self) -> dict[str, numpy.ndarray]:
        """The layers under the names the torch head's state dict gives them."""
        return {"1.weight": self.w1, "1.bias": self.b1, "4.weight": self.w2, "4.bias": self.b2}

    @classmethod
    def from_tensors(cls, tensors: dict[str, numpy.ndarray]) -> "Head":
        as32 = {k: numpy.asarray(v, dtype=numpy.float32) for k, v in tensors.items()}
        reader = {k.removeprefix("marker."): v for k, v in as32.items() if k.startswith("marker.")}
        return cls(
            as32["1.weight"],
            as32["1.bias"],
            as32["4.weight"],
            as32["4.bias"],
            MarkerLayer(reader) if reader else None,
        )

    @classmethod
    def from_marked(cls, state: dict[str, numpy.ndarray]) -> "Head":
        """A head from the marked-token module's state (``marker.fit_marker_heads``)."""
        reader = {k: v for k, v in state.items() if k.split(".")[0] in ("project", "marks", "layer")}
        return cls(
            state["rows.1.weight"],
            state["rows.1.bias"],
            state["out.1.weight"],
            state["out.1.bias"],
            MarkerLayer(reader),
        )


def any_stance(scores: numpy.ndarray) -> numpy.ndarray:
    """Per candidate, the chance that it holds a statement of any stance."""
    return 1.0 - numpy.prod(1.0 - scores[:, : len(STANCE_LABELS)], axis=1)


STD_FLOOR = 1e-4  # added to every column's deviation in training


def _folded(head: Head, mean: numpy.ndarray, std: numpy.ndarray) -> Head:
    """The head with the standardisation folded into its first layer, so that scoring reads raw
    features (one pass over them fewer: a third of the head's time on a Guardian batch). Computed
    in float64. A column constant in training (its deviation at the floor) taught the head nothing;
    its weights are dropped rather than magnified ten thousand times."""
    constant = std <= 1.5 * STD_FLOOR
    w1 = numpy.where(constant, 0.0, head.w1.astype(numpy.float64) / std.astype(numpy.float64))
    b1 = head.b1.astype(numpy.float64) - w1 @ mean.astype(numpy.float64)
    return Head(w1.astype(numpy.float32), b1.astype(numpy.float32), head.w2, head.b2, head.marker)


@cache
def _blas() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _sigmoid(x: numpy.ndarray) -> numpy.ndarray:
    return 0.5 * (1.0 + numpy.tanh(0.5 * x))  # no overflow for large negative logits


class AttributionModel:
    """Two-layer heads over standardised candidate features; the mean of their sigmoid scores
    per label. Several heads with different seeds vary less than one (measured: single heads
    0.29 to 0.34 dev F1 by seed, five together 0.33). Training uses PyTorch; scoring is numpy
    (a few matrix products per sentence), so inference does not import PyTorch."""

    def __init__(
        self, metadata: AttributionMetadata, heads: list[Head], mean: numpy.ndarray, std: numpy.ndarray
    ) -> None:
        self.metadata = metadata
        self.heads = heads
        self.mean = numpy.asarray(mean, dtype=numpy.float32)
        self.std = numpy.asarray(std, dtype=numpy.float32)
        self._scoring = [_folded(head, self.mean, self.std) for head in heads]

    @property
    def tag(self) -> str:
        return self.metadata.tag

    @classmethod
    def fit(
        cls,
        features: numpy.ndarray,
        targets: numpy.ndarray,
        metadata: AttributionMetadata,
        *,
        epochs: int = 20,
        seed: int = 13,
        tokens: TokenRows | None = None,
        log: Callable[[str], None] = lambda _: None,
    ) -> "AttributionModel":
        """Train on feature rows and (soft) targets in [0, 1], one column per label; with
        ``metadata.marker``, on the rows' ``tokens`` too (``epochs`` counts the reader's)."""
        import torch

        x, y = torch.tensor(features), torch.tensor(targets)
        mean, std = x.mean(0), x.std(0) + STD_FLOOR
        x = (x - mean) / std
        if metadata.marker:
            if tokens is None or len(tokens) != len(features):
                raise ValueError("a marked-token head needs the tokens of every feature row")
            states = fit_marker_heads(
                x.numpy(),
                targets,
                tokens,
                members=metadata.members,
                hidden=metadata.hidden,
                width=metadata.marker,
                epochs=epochs,
                seed=seed,
                log=log,
            )
            return cls(metadata, [Head.from_marked(s) for s in states], mean.numpy(), std.numpy())
        heads = []
        for member in range(metadata.members):
            torch.manual_seed(seed + member)
            head = _head(x.shape[1], metadata.hidden, y.shape[1])
            optimizer = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=1e-4)
            loss_fn = torch.nn.BCEWithLogitsLoss()
            for epoch in range(epochs):
                head.train()
                total = 0.0
                for rows in torch.randperm(len(x)).split(128):
                    optimizer.zero_grad()
                    loss = loss_fn(head(x[rows]), y[rows])
                    loss.backward()
                    optimizer.step()
                    total += float(loss.detach()) * len(rows)
                log(f"head {member + 1}, epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f}")
            state = {k: v.detach().numpy() for k, v in head.eval().state_dict().items()}
            heads.append(Head.from_tensors(state))
        return cls(metadata, heads, mean.numpy(), std.numpy())

    def scores(self, features: numpy.ndarray, tokens: TokenRows | None = None) -> numpy.ndarray:
        """Per row, the mean of the heads' sigmoid scores. ``tokens``: the rows' token vectors and
        marker types, which a marked-token head reads (``metadata.marker``)."""
        if len(features) == 0:
            return numpy.zeros((0, len(self.metadata.labels)), dtype=numpy.float32)
        if features.shape[1] != self.metadata.features:
            raise ModelError(
                f"{self.tag} reads {self.metadata.features} features per candidate and this version "
                f"builds {features.shape[1]}: retrain it with this version (stance train-attribution)"
            )
        if self.metadata.marker and (tokens is None or len(tokens) != len(features)):
            raise ModelError(f"{self.tag} reads each candidate's sentence tokens: pass them with its rows")
        x = numpy.asarray(features, dtype=numpy.float32)
        # one BLAS thread: how a product is split over threads moves its rounding (2e-7 here), and
        # Dask workers run single-threaded BLAS, so scores (and their 4-decimal records) would
        # depend on where the article ran; the head's products are small, one thread is as fast
        with _blas().limit(limits=1, user_api="blas"):
            scores = [_sigmoid(head.logits(x, tokens)) for head in self._scoring]
        return numpy.mean(scores, axis=0).astype(numpy.float32)

    def save(self, folder: Path) -> None:
        """The head and metadata into ``folder``. A model with an encoder adapter needs its file
        there already (training writes it first: the rows are read through it); a model without
        one removes a stale adapter file, which would otherwise describe another model."""
        from safetensors.numpy import save_file

        folder.mkdir(parents=True, exist_ok=True)
        adapter = folder / ADAPTER_FILE
        if self.metadata.adapter and not adapter.is_file():
            raise ModelError(f"{folder}: save the encoder adapter ({ADAPTER_FILE}) before the model")
        if not self.metadata.adapter:
            adapter.unlink(missing_ok=True)
        # half precision halves the artefact; scores move by less than 1e-3
        tensors = {
            f"head{i}.{k}": numpy.ascontiguousarray(v.astype(numpy.float16))
            for i, head in enumerate(self.heads)
            for k, v in head.tensors().items()
        }
        for i, head in enumerate(self.heads):
            if head.marker is not None:
                tensors.update(
                    {
                        f"head{i}.marker.{k}": numpy.ascontiguousarray(v.astype(numpy.float16))
                        for k, v in head.marker.tensors.items()
                    }
                )
        tensors.update({"mean": numpy.ascontiguousarray(self.mean), "std": numpy.ascontiguousarray(self.std)})
        save_file(tensors, str(folder / HEAD_FILE))
        meta = {**self.metadata.__dict__, "labels": list(self.metadata.labels)}
        (folder / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "AttributionModel":
        from safetensors.numpy import load_file

        metadata = read_attribution_metadata(folder)
        try:
            tensors = load_file(str(folder / HEAD_FILE))
            heads = []
            for i in range(metadata.members):
                prefix = f"head{i}."
                heads.append(
                    Head.from_tensors(
                        {k.removeprefix(prefix): v for k, v in tensors.items() if k.startswith(prefix)}
                    )
                )
            mean, std = tensors["mean"], tensors["std"]
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise ModelError(f"{folder}: not a readable attribution model ({exc})") from exc
        if (
            mean.shape != (metadata.features,)
            or heads[0].w1.shape != (metadata.hidden, metadata.features)
            or (heads[0].marker.width if heads[0].marker is not None else 0) != metadata.marker
        ):
            raise ModelError(f"{folder}: the head's shapes do not match attribution.json")
        return cls(metadata, heads, mean, std)
