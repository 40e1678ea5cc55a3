"""The attribution model's artefact behind one class: ``fit``, ``save``, ``load``, ``scores``.

The folder holds ``attribution.json`` (name, version, encoder, labels, feature layout, the
decision threshold and the training figures) and ``head.safetensors`` (the feature scaling and
the two layers of the head): about 2 MB. The encoder's weights come from their package.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy

from pipeline.attribution.dataset import LABELS
from pipeline.stance.errors import ModelError

META_FILE = "attribution.json"
HEAD_FILE = "head.safetensors"
FORMAT = 1


@dataclass
class AttributionMetadata:
    name: str
    version: str
    encoder: str
    features: int
    hidden: int
    threshold: float
    layers: int = 1  # the encoder vectors are the mean of its last ``layers`` layers
    members: int = 1  # heads trained with seeds seed, seed + 1, ...; their scores are averaged
    rules: bool = True  # the features end with the dependency rules' votes
    labels: tuple[str, ...] = LABELS
    format: int = FORMAT
    training: dict[str, Any] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        return f"{self.name}@{self.version}"


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


class AttributionModel:
    """Two-layer heads over standardised candidate features; the mean of their sigmoid scores
    per label. Several heads with different seeds vary less than one (measured: single heads
    0.29 to 0.34 dev F1 by seed, five together 0.33)."""

    def __init__(self, metadata: AttributionMetadata, heads: list[Any], mean: Any, std: Any) -> None:
        self.metadata = metadata
        self.heads = [head.eval() for head in heads]
        self.mean = mean
        self.std = std

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
        log: Callable[[str], None] = lambda _: None,
    ) -> "AttributionModel":
        """Train on feature rows and (soft) targets in [0, 1], one column per label."""
        import torch

        x, y = torch.tensor(features), torch.tensor(targets)
        mean, std = x.mean(0), x.std(0) + 1e-4
        x = (x - mean) / std
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
            heads.append(head.eval())
        return cls(metadata, heads, mean, std)

    def scores(self, features: numpy.ndarray) -> numpy.ndarray:
        import torch

        if len(features) == 0:
            return numpy.zeros((0, len(self.metadata.labels)), dtype=numpy.float32)
        with torch.inference_mode():
            x = (torch.tensor(features) - self.mean) / self.std
            return torch.stack([torch.sigmoid(head(x)) for head in self.heads]).mean(dim=0).numpy()

    def save(self, folder: Path) -> None:
        from safetensors.torch import save_file

        folder.mkdir(parents=True, exist_ok=True)
        # half precision halves the artefact; scores move by less than 1e-3
        tensors = {
            f"head{i}.{k}": v.half().contiguous()
            for i, head in enumerate(self.heads)
            for k, v in head.state_dict().items()
        }
        tensors.update({"mean": self.mean.contiguous(), "std": self.std.contiguous()})
        save_file(tensors, str(folder / HEAD_FILE))
        meta = {**self.metadata.__dict__, "labels": list(self.metadata.labels)}
        (folder / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "AttributionModel":
        from safetensors.torch import load_file

        metadata = read_attribution_metadata(folder)
        try:
            tensors = load_file(str(folder / HEAD_FILE))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise ModelError(f"{folder}: not a readable attribution model ({exc})") from exc
        heads = []
        for i in range(metadata.members):
            head = _head(metadata.features, metadata.hidden, len(metadata.labels))
            prefix = f"head{i}."
            head.load_state_dict(
                {k.removeprefix(prefix): v.float() for k, v in tensors.items() if k.startswith(prefix)}
            )
            heads.append(head)
        return cls(metadata, heads, tensors["mean"], tensors["std"])
