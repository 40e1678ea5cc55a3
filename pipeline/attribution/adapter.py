"""Low-rank adapters (LoRA) on the encoder layers the feature rows read, trained with a head.

The feature rows (``features.py``) read the mean of the encoder's last three kept layers. Frozen,
those layers were trained for sentence similarity, not for who holds a position. Here each of
their matrix products (attention queries, keys, values and output; the feed-forward pair) gets a
trainable low-rank update ``up @ down * alpha / rank``, trained jointly with a head over the same
rows the shipped heads read (``fit_adapter``). The adapter file is small (0.7 MB at rank 8 for three
layers); at run time its updates are merged into the weights before the encoder is exported to
ONNX (``runtime.build_encoder``) or loaded in PyTorch, so inference costs exactly what the frozen
encoder costs.

Training runs the frozen layers below the adapted ones once per sentence, then only the adapted
layers per step, batched by sentence length.
"""

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy

from pipeline.stance.errors import ModelError

ADAPTER_FILE = "adapter.safetensors"
# the matrix products adapted in each layer (attribute paths inside an MPNet or BERT layer)
TARGETS = {
    "mpnet": ("attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o"),
    "bert": (
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
    ),
}
FEED_FORWARD = ("intermediate.dense", "output.dense")
ALPHA = 16.0
LEARNING_RATE = 3e-4  # the adapters'; the joint head's is 1e-3
STEP_SENTENCES = 16


@dataclass(frozen=True)
class Adapter:
    """Trained low-rank updates: per adapted product, ``down`` (rank x in) and ``up`` (out x rank),
    under ``layer.{i}.{path}.down`` / ``.up``; ``i`` counts the encoder's layers from 0."""

    tensors: dict[str, numpy.ndarray]
    rank: int
    alpha: float

    @property
    def scale(self) -> float:
        return self.alpha / self.rank

    def deltas(self) -> dict[str, numpy.ndarray]:
        """Per adapted weight (``layer.{i}.{path}``), the update to add to it (out x in)."""
        found = {}
        for key in self.tensors:
            if key.endswith(".down"):
                name = key.removesuffix(".down")
                up = self.tensors[f"{name}.up"].astype(numpy.float32)
                found[name] = up @ self.tensors[key].astype(numpy.float32) * self.scale
        return found

    def merge_into(self, model: Any) -> Any:
        """``model`` (a transformers encoder, truncated or not) with the updates added to its
        weights, in place."""
        import torch

        layers = model.encoder.layer
        for name, delta in self.deltas().items():
            _, index, path = name.split(".", 2)
            if int(index) >= len(layers):
                raise ModelError(f"the adapter updates layer {index}; the encoder keeps {len(layers)}")
            linear = _find(layers[int(index)], path)
            if tuple(linear.weight.shape) != delta.shape:
                raise ModelError(
                    f"the adapter's {name} is {delta.shape}, the encoder's {tuple(linear.weight.shape)}"
                )
            with torch.no_grad():
                linear.weight += torch.from_numpy(delta).to(linear.weight.dtype)
        return model

    def save(self, path: Path) -> None:
        from safetensors.numpy import save_file

        half = {k: numpy.ascontiguousarray(v.astype(numpy.float16)) for k, v in self.tensors.items()}
        save_file(half, str(path), metadata={"rank": str(self.rank), "alpha": str(self.alpha)})

    @classmethod
    def load(cls, path: Path) -> "Adapter":
        from safetensors import SafetensorError, safe_open

        try:
            with safe_open(str(path), framework="numpy") as f:
                meta = f.metadata() or {}
                tensors = {k: f.get_tensor(k).astype(numpy.float32) for k in f.keys()}  # noqa: SIM118
            return cls(tensors, int(meta["rank"]), float(meta["alpha"]))
        except (OSError, ValueError, KeyError, SafetensorError) as exc:
            raise ModelError(f"{path}: not a readable encoder adapter ({exc})") from exc


def digest(path: Path | None) -> str:
    """A short digest of an adapter file (names the encoder it makes in caches); '' for none."""
    return "" if path is None else hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _find(module: Any, path: str) -> Any:
    for part in path.split("."):
        module = getattr(module, part)
    return module


def _targets(model: Any) -> tuple[str, ...]:
    kind = "mpnet" if model.config.model_type == "mpnet" else "bert"
    return TARGETS[kind] + FEED_FORWARD


def _wrap(model: Any, first: int, rank: int, alpha: float) -> dict[str, Any]:
    """Every adapted product of layers ``first``.. replaced by itself plus a trainable update;
    returns the update modules by name."""
    import torch
    from torch import nn

    class LowRank(nn.Module):
        def __init__(self, base: nn.Linear) -> None:
            super().__init__()
            self.base = base
            self.down = nn.Parameter(torch.randn(rank, base.in_features) / base.in_features**0.5)
            self.up = nn.Parameter(torch.zeros(base.out_features, rank))

        def forward(self, x: Any) -> Any:
            return self.base(x) + (x @ self.down.T @ self.up.T) * (alpha / rank)

    wrapped = {}
    for index in range(first, len(model.encoder.layer)):
        layer = model.encoder.layer[index]
        for path in _targets(model):
            parent, _, leaf = path.rpartition(".")
            owner = _find(layer, parent)
            module = LowRank(getattr(owner, leaf))
            setattr(owner, leaf, module)
            wrapped[f"layer.{index}.{path}"] = module
    return wrapped


@dataclass(frozen=True)
class RowPlaces:
    """Where a candidate's row reads its sentence: the word pieces of its span, its head word and
    its predicate (empty where it has none), by index into the sentence's pieces."""

    sentence: int
    span: list[int]
    head: list[int]
    verb: list[int]


def row_places(
    ranges: Sequence[tuple[int, tuple]], offsets: Sequence[list[tuple[int, int]]]
) -> tuple[list[RowPlaces], list[list[int]]]:
    """Per row (its sentence and the character ranges of ``features.char_ranges``), the pieces it
    reads; per sentence (its pieces' ``offsets``), its word pieces, special tokens left out."""
    from pipeline.attribution.encoder import EncodedSentence

    readings = [EncodedSentence(numpy.zeros((len(o), 1)), o) for o in offsets]
    places = []
    for sentence, (words, head, verb) in ranges:
        reading = readings[sentence]
        places.append(
            RowPlaces(
                sentence,
                reading.pieces(*words),
                reading.pieces(*head),
                reading.pieces(*verb) if verb is not None else [],
            )
        )
    return places, [[j for j, (s, e) in enumerate(o) if e > s] for o in offsets]


def _layer_inputs(model: Any, tokenizer: Any, texts: Sequence[str], first: int, max_length: int) -> tuple:
    """Per sentence, the frozen layers' output (the adapted layers' input) and the piece offsets."""
    import torch

    inputs: list[Any] = [None] * len(texts)
    offsets: list[Any] = [None] * len(texts)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for begin in range(0, len(order), 32):
        rows = order[begin : begin + 32]
        batch = tokenizer(
            [texts[i] for i in rows], truncation=True, max_length=max_length, padding=True,
            return_offsets_mapping=True, return_tensors="pt",
        )  # fmt: skip
        found = batch.pop("offset_mapping").tolist()
        lengths = batch["attention_mask"].sum(1).tolist()
        with torch.inference_mode():
            hidden = model.embeddings(input_ids=batch["input_ids"])
            bias = _position_bias(model, hidden)
            mask = _additive_mask(torch, lengths, hidden.shape[1])
            for layer in model.encoder.layer[:first]:
                hidden = layer(hidden, mask, bias)[0] if bias is not None else layer(hidden, mask)[0]
        for k, i in enumerate(rows):
            n = int(lengths[k])
            inputs[i] = hidden[k, :n].clone()
            offsets[i] = [tuple(o) for o in found[k][:n]]
    return inputs, offsets


def _position_bias(model: Any, hidden: Any) -> Any:
    encoder = model.encoder
    return encoder.compute_position_bias(hidden) if hasattr(encoder, "compute_position_bias") else None


def _additive_mask(torch: Any, lengths: Sequence[int], width: int) -> Any:
    keep = torch.arange(width)[None, :] < torch.as_tensor(list(lengths))[:, None]
    return (~keep)[:, None, None, :].float() * -1e9


class _Reader:
    """The adapted layers over a batch of sentences, and the rows' four mean vectors."""

    def __init__(self, model: Any, first: int) -> None:
        import torch

        self.torch = torch
        self.model = model
        self.layers = model.encoder.layer[first:]

    def rows(self, inputs: Sequence[Any], places: Sequence[RowPlaces], whole: Sequence[list[int]]) -> Any:
        """``places[r].sentence`` indexes ``inputs``; ``whole``: each sentence's word pieces."""
        torch = self.torch
        lengths = [len(s) for s in inputs]
        width = max(lengths)
        hidden = torch.zeros(len(inputs), width, inputs[0].shape[1])
        for k, s in enumerate(inputs):
            hidden[k, : len(s)] = s
        mask = _additive_mask(torch, lengths, width)
        bias = _position_bias(self.model, hidden)
        total = torch.zeros_like(hidden)
        for layer in self.layers:
            hidden = layer(hidden, mask, bias)[0] if bias is not None else layer(hidden, mask)[0]
            total = total + hidden
        states = (total / len(self.layers)).reshape(-1, hidden.shape[-1])
        weights = torch.zeros(4, len(places), states.shape[0])
        for r, place in enumerate(places):
            for p, pieces in enumerate((place.span, place.head, place.verb, whole[place.sentence])):
                if pieces:
                    weights[p, r, [place.sentence * width + j for j in pieces]] = 1.0 / len(pieces)
        return torch.cat([weights[p] @ states for p in range(4)], dim=1)


def sentence_batches(places: Sequence[RowPlaces], lengths: Sequence[int], size: int, rng: Any) -> list:
    """Sentences of similar length together, the batches in random order: (sentences, rows)."""
    by_sentence: dict[int, list[int]] = {}
    for r, place in enumerate(places):
        by_sentence.setdefault(place.sentence, []).append(r)
    order = sorted(by_sentence, key=lambda s: lengths[s] + rng.random())
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return [(b, [r for s in b for r in by_sentence[s]]) for b in batches]


def fit_adapter(
    base_dir: Path,
    depth: int | None,
    texts: Sequence[str],
    ranges: Sequence[tuple[int, tuple]],
    categorical: numpy.ndarray,
    targets: numpy.ndarray,
    *,
    rank: int,
    layers: int = 3,
    epochs: int = 2,
    hidden: int = 256,
    seed: int = 13,
    max_length: int = 256,
    log: Callable[[str], None] = lambda _: None,
) -> Adapter:
    """Adapters on the encoder's last ``layers`` kept layers (those the rows average), trained with
    one head over the rows' vectors (span, head word, predicate, sentence) and ``categorical``
    features against ``targets``. ``ranges``: per row, its sentence (index into ``texts``) and the
    character ranges of its span, head word and predicate (``features.char_ranges``)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from pipeline.attribution.encoder import truncate
    from pipeline.attribution.model import _head

    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
    model = truncate(AutoModel.from_pretrained(str(base_dir)), depth).eval()
    first = len(model.encoder.layer) - layers
    for p in model.parameters():
        p.requires_grad_(False)
    began = time.perf_counter()
    inputs, offsets = _layer_inputs(model, tokenizer, texts, first, max_length)
    log(f"adapter: {len(texts)} sentences through the frozen layers ({time.perf_counter() - began:.0f} s)")
    places, whole = row_places(ranges, offsets)
    wrapped = _wrap(model, first, rank, ALPHA)
    reader = _Reader(model, first)
    params = [p for m in wrapped.values() for p in (m.down, m.up)]
    # the features' scaling: the frozen rows' own, measured once on a sample of sentences
    with torch.inference_mode():
        sample = sorted(set(numpy.random.default_rng(seed).choice(len(texts), min(len(texts), 400), False)))
        where = {s: k for k, s in enumerate(sample)}
        rows = [r for r, p in enumerate(places) if p.sentence in where]
        frozen = reader.rows(
            [inputs[s] for s in sample],
            [replace(places[r], sentence=where[places[r].sentence]) for r in rows],
            [whole[s] for s in sample],
        )
    x_sample = torch.cat([frozen, torch.from_numpy(categorical[rows])], dim=1)
    mean, std = x_sample.mean(0), x_sample.std(0) + 1e-4
    head = _head(x_sample.shape[1], hidden, targets.shape[1])
    optimizer = torch.optim.AdamW(
        [{"params": head.parameters(), "lr": 1e-3}, {"params": params, "lr": LEARNING_RATE}],
        weight_decay=1e-4,
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    extra, labels = torch.from_numpy(categorical), torch.from_numpy(targets)
    lengths = [len(s) for s in inputs]
    rng = numpy.random.default_rng(seed)
    for epoch in range(epochs):
        model.train()
        head.train()
        began, total = time.perf_counter(), 0.0
        for sentences, rows in sentence_batches(places, lengths, STEP_SENTENCES, rng):
            local = {s: k for k, s in enumerate(sentences)}
            vectors = reader.rows(
                [inputs[s] for s in sentences],
                [replace(places[r], sentence=local[places[r].sentence]) for r in rows],
                [whole[s] for s in sentences],
            )
            loss = loss_fn(head((torch.cat([vectors, extra[rows]], dim=1) - mean) / std), labels[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(rows)
        log(
            f"adapter epoch {epoch + 1}/{epochs}: loss {total / len(places):.4f} "
            f"({time.perf_counter() - began:.0f} s)"
        )
    tensors = {}
    for name, module in wrapped.items():
        tensors[f"{name}.down"] = module.down.detach().numpy().copy()
        tensors[f"{name}.up"] = module.up.detach().numpy().copy()
    return Adapter(tensors, rank, ALPHA)
