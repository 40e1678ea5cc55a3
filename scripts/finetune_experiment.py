"""Does adapting the encoder itself help attribution? Low-rank adapters (LoRA) on the layers the
feature rows read (all-mpnet-base-v2's layers 4-6), trained jointly with a head over the same rows
the shipped model reads, then the usual heads refitted on the adapted rows. Measured on guardian
dev against the same heads over the frozen encoder's rows.

    python scripts/finetune_experiment.py build --split {train,dev,team} --name ft6
    python scripts/finetune_experiment.py compare --name ft6 --rank 8 --epochs 2

``build`` parses each split as ``attribution_experiment.py build`` does and caches, per sentence,
the encoder's output after its first three layers (float16: the adapted layers' input, so that
training runs only the layers it adapts) and, per candidate row, the word pieces its span, head
word and predicate are read at. It needs ``marker_experiment.py build --name tok6`` for the rows'
labels, categorical features and decoding details (and checks that its frozen readings reproduce
that cache's). ``compare`` trains the adapters, then prints dev figures for heads over the frozen
and the adapted rows.
"""

import argparse
import pickle
import time
from pathlib import Path

import numpy
from attribution_experiment import CACHE, _load, print_dev_figures, team_share

from pipeline.attribution.adapter import (
    RowPlaces,
    _layer_inputs,
    _Reader,
    _wrap,
    row_places,
    sentence_batches,
)
from pipeline.attribution.dataset import prepare, team_articles
from pipeline.attribution.encoder import truncate
from pipeline.attribution.features import CATEGORICAL
from pipeline.attribution.model import AttributionMetadata, AttributionModel
from pipeline.evaluate.config import DevSetConfig
from pipeline.evaluate.guardian import GUARDIAN_DIR, load_guardian
from pipeline.stance.config import TrainConfig

BASE = Path.home() / ".cache/stance-pipeline/bases/all-mpnet-base-v2-eb8d12eec2a0"
FROZEN = 3  # layers run once in build; the adapted ones follow
DEPTH = 6
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.3)


def _model():
    from transformers import AutoModel

    return truncate(AutoModel.from_pretrained(str(BASE)), DEPTH).eval()


def build_stage(args: argparse.Namespace) -> None:
    from transformers import AutoTokenizer

    from pipeline.nlp import load_nlp

    began = time.perf_counter()
    if args.split == "team":
        articles = team_articles(TrainConfig().data_dir, TrainConfig().dev_batches)
    else:
        articles = load_guardian(GUARDIAN_DIR, DevSetConfig().shared_corpora, [args.split])
    parsed = prepare(articles, load_nlp(), rules=False)
    texts, ranges, _, _ = parsed.adapter_rows()
    tokenizer = AutoTokenizer.from_pretrained(str(BASE))
    inputs, offsets = _layer_inputs(_model(), tokenizer, texts, FROZEN, 256)
    places, whole = row_places(ranges, offsets)
    where = [(p.sentence, p.span, p.head, p.verb, whole[p.sentence]) for p in places]
    with open(CACHE / f"{args.name}-{args.split}.pkl", "wb") as f:
        pickle.dump({"inputs": [i.numpy().astype(numpy.float16) for i in inputs], "where": where}, f)
    print(args.split, len(texts), "sentences", len(where), "rows", f"{time.perf_counter() - began:.0f} s")


class Adapted:
    """The encoder's layers FROZEN.. with adapters (adapter.py), reading the cached inputs."""

    def __init__(self, rank: int, alpha: float) -> None:
        import torch

        model = _model()
        for p in model.parameters():
            p.requires_grad_(False)
        wrapped = _wrap(model, FROZEN, rank, alpha) if rank else {}
        self.params = [p for m in wrapped.values() for p in (m.down, m.up)]
        self.reader = _Reader(model, FROZEN)
        self.torch = torch

    def train(self, on: bool) -> None:
        self.reader.layers.train(on)

    def rows(self, inputs: list, where: list):
        """``where``: (sentence in ``inputs``, span, head, predicate, sentence pieces) per row."""
        torch = self.torch
        places = [RowPlaces(w[0], w[1], w[2], w[3]) for w in where]
        whole = {w[0]: w[4] for w in where}
        tensors = [torch.from_numpy(s.astype(numpy.float32)) for s in inputs]
        return self.reader.rows(tensors, places, [whole.get(k, []) for k in range(len(inputs))])


def _batches(where: list, inputs: list, size: int, rng) -> list:
    places = [RowPlaces(w[0], w[1], w[2], w[3]) for w in where]
    return sentence_batches(places, [len(s) for s in inputs], size, rng)


def adapted_rows(model: Adapted, inputs: list, where: list) -> numpy.ndarray:
    model.train(False)
    out = numpy.zeros((len(where), 4 * inputs[0].shape[1]), dtype=numpy.float32)
    with model.torch.inference_mode():
        for sentences, rows in _batches(where, inputs, 32, numpy.random.default_rng(0)):
            local = {s: k for k, s in enumerate(sentences)}
            out[rows] = model.rows(
                [inputs[s] for s in sentences], [(local[where[r][0]], *where[r][1:]) for r in rows]
            ).numpy()
    return out


def compare_stage(args: argparse.Namespace) -> None:
    import torch

    from pipeline.attribution.model import _head

    tok = {s: _load("tok6", s) for s in ("train", "dev", "team")}
    ft = {s: _load(args.name, s) for s in ("train", "dev", "team")}
    vec = 4 * 768
    for s in ("train", "dev", "team"):
        if len(ft[s]["where"]) != len(tok[s]["X"]):
            raise SystemExit(f"{s}: {len(ft[s]['where'])} rows here, {len(tok[s]['X'])} in tok6")
    keep = team_share(args, len(tok["team"]["X"]))
    offset = len(ft["train"]["inputs"])
    inputs = ft["train"]["inputs"] + ft["team"]["inputs"]
    team_where = [(w[0] + offset, *w[1:]) for w, k in zip(ft["team"]["where"], keep, strict=True) if k]
    where = ft["train"]["where"] + team_where
    x = numpy.concatenate([tok["train"]["X"], tok["team"]["X"][keep]])[:, : vec + CATEGORICAL]
    y = numpy.concatenate([tok["train"]["Y"], tok["team"]["Y"][keep]])
    torch.manual_seed(args.seed)
    model = Adapted(args.rank, args.alpha)
    check = adapted_rows(model, ft["dev"]["inputs"][:200], [w for w in ft["dev"]["where"] if w[0] < 200])
    drift = numpy.abs(check - tok["dev"]["X"][: len(check), :vec]).max()
    print(f"frozen readings against tok6 (first 200 dev sentences): max difference {drift:.4f}", flush=True)
    mean = torch.tensor(x.mean(0))
    std = torch.tensor(x.std(0) + 1e-4)
    head = _head(x.shape[1], args.hidden, y.shape[1])
    categorical, targets = torch.tensor(x[:, vec:]), torch.tensor(y)
    optimizer = torch.optim.AdamW(
        [{"params": head.parameters(), "lr": 1e-3}, {"params": model.params, "lr": args.lr}],
        weight_decay=1e-4,
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    rng = numpy.random.default_rng(args.seed)
    for epoch in range(args.epochs):
        model.train(True)
        head.train()
        began, total, seen = time.perf_counter(), 0.0, 0
        for step, (sentences, rows) in enumerate(_batches(where, inputs, args.batch, rng)):
            local = {s: k for k, s in enumerate(sentences)}
            vectors = model.rows(
                [inputs[s] for s in sentences], [(local[where[r][0]], *where[r][1:]) for r in rows]
            )
            features = (torch.cat([vectors, categorical[rows]], dim=1) - mean) / std
            loss = loss_fn(head(features), targets[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, seen = total + float(loss) * len(rows), seen + len(rows)
            if step % 100 == 0:
                print(
                    f"epoch {epoch + 1} step {step}: loss {total / seen:.4f} "
                    f"{time.perf_counter() - began:.0f} s",
                    flush=True,
                )
        print(f"epoch {epoch + 1}: loss {total / seen:.4f}, {time.perf_counter() - began:.0f} s", flush=True)
    rows = {s: adapted_rows(model, ft[s]["inputs"], ft[s]["where"]) for s in ("train", "dev", "team")}
    if args.save:
        torch.save({"params": [p.detach() for p in model.params]}, args.save)
    x_adapted = numpy.concatenate([rows["train"], rows["team"][keep]])
    x_adapted = numpy.concatenate([x_adapted, x[:, vec:]], axis=1)
    x_dev_adapted = numpy.concatenate([rows["dev"], tok["dev"]["X"][:, vec : vec + CATEGORICAL]], axis=1)
    meta = AttributionMetadata(
        name="rows", version="0", encoder=args.name, features=x.shape[1], hidden=256, threshold=0.5,
        members=args.members,
    )  # fmt: skip
    adapted = AttributionModel.fit(x_adapted, y, meta, seed=13)
    print_dev_figures("adapted rows", tok["dev"]["sentences"], adapted.scores(x_dev_adapted), THRESHOLDS)
    if not args.skip_frozen:
        frozen = AttributionModel.fit(x, y, meta, seed=13)
        x_dev = tok["dev"]["X"][:, : vec + CATEGORICAL]
        print_dev_figures("frozen rows", tok["dev"]["sentences"], frozen.scores(x_dev), THRESHOLDS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=["build", "compare"])
    parser.add_argument("--split", default="train", choices=["train", "dev", "team"])
    parser.add_argument("--name", default="ft6")
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--alpha", type=float, default=16.0)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16, help="sentences per step")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--team", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--skip-frozen", action="store_true")
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args()
    {"build": build_stage, "compare": compare_stage}[args.stage](args)
