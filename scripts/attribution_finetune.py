"""Fine-tune the attribution encoder (LoRA on MiniLM) jointly with one head, on two CPU cores.

    python scripts/attribution_finetune.py prep --split train|dev|team
    python scripts/attribution_finetune.py train [--epochs 2 --lr 2e-4 --rank 8 --share 1.0]

``prep`` parses a split as a run does and records, per candidate, how its four vectors pool the
sentence's word pieces (span, head word, predicate, whole sentence: the features' own code, run
on one-hot "states"), its categorical features and gold labels, and each sentence's word-piece
ids, in ``out/attribution/ft-<split>.pkl``. ``train`` starts from the shipped model's first head
and its feature scaling, trains LoRA adapters and the head on Guardian train plus the team's
written sentences in batches of similar length, and prints guardian dev figures after each
epoch (about 3.5 minutes an epoch). ``--teacher`` distils: the targets mix the gold labels with
a stronger model's cross-fitted scores for the same rows. The outcome is in the README
(Attribution model).
"""

import argparse
import pickle
import random
import time
from pathlib import Path

import numpy
from attribution_experiment import cached_sentences, print_dev_figures  # the script beside this one

from pipeline.attribution.config import AttributionConfig
from pipeline.attribution.dataset import build, team_articles
from pipeline.attribution.encoder import EncodedSentence
from pipeline.attribution.model import AttributionModel
from pipeline.evaluate.config import DevSetConfig
from pipeline.evaluate.guardian import GUARDIAN_DIR, load_guardian
from pipeline.stance.config import TrainConfig, default_base_model_dir

CACHE = Path("out/attribution")
WIDTH = 256  # the encoder's longest input, in word pieces
VECTORS = 4  # span, head word, predicate, sentence


class PoolingRecorder:
    """An 'encoder' whose states are one-hot rows: the features' means then record which pieces
    each vector averages, so training can pool the fine-tuned states the same way."""

    def __init__(self) -> None:
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(default_base_model_dir()))
        self.ids: list[numpy.ndarray] = []

    def encode(self, texts):
        readings = []
        for text in texts:
            pieces = self.tokenizer(text, truncation=True, max_length=WIDTH, return_offsets_mapping=True)
            n = len(pieces["input_ids"])
            self.ids.append(numpy.asarray(pieces["input_ids"], dtype=numpy.int32))
            one_hot = numpy.eye(n, WIDTH, dtype=numpy.float32)
            readings.append(EncodedSentence(one_hot, [tuple(o) for o in pieces["offset_mapping"]]))
        return readings


def prep(split: str) -> None:
    from pipeline.nlp import load_nlp

    if split == "team":
        articles = team_articles(TrainConfig().data_dir, TrainConfig().dev_batches)
    else:
        articles = load_guardian(GUARDIAN_DIR, DevSetConfig().shared_corpora, [split])
    recorder = PoolingRecorder()
    examples = build(articles, load_nlp(), recorder, rules=False)
    pooling = examples.features[:, : VECTORS * WIDTH].reshape(-1, VECTORS, WIDTH).astype(numpy.float16)
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"ft-{split}.pkl", "wb") as f:
        pickle.dump(
            {
                "pooling": pooling,
                "categorical": examples.features[:, VECTORS * WIDTH :],
                "labels": examples.labels,
                "sentences": cached_sentences(examples),
                "ids": recorder.ids,
            },
            f,
        )
    print(split, pooling.shape, len(recorder.ids), "sentences")


def train(args: argparse.Namespace) -> None:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    data = {}
    for split in ("train", "team", "dev"):
        with open(CACHE / f"ft-{split}.pkl", "rb") as f:
            data[split] = pickle.load(f)
    if args.teacher is not None:  # distillation: soft targets mixing gold and a teacher's scores
        teacher = numpy.load(args.teacher)
        rows = len(data["train"]["labels"])
        for split, scores in (("train", teacher[:rows]), ("team", teacher[rows:])):
            gold = data[split]["labels"]
            if scores.shape != gold.shape:
                raise SystemExit(f"{args.teacher}: {scores.shape} scores for {gold.shape} {split} rows")
            data[split]["labels"] = ((1 - args.teacher_weight) * gold + args.teacher_weight * scores).astype(
                numpy.float32
            )
    shipped = AttributionModel.load(AttributionConfig().model_dir)
    mean, std = torch.tensor(shipped.mean), torch.tensor(shipped.std)
    first = shipped.heads[0]
    features, hidden, outputs = first.w1.shape[1], first.w1.shape[0], first.w2.shape[0]
    head = torch.nn.Sequential(
        torch.nn.Dropout(0.1),
        torch.nn.Linear(features, hidden),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(hidden, outputs),
    )
    with torch.no_grad():
        for layer, (w, b) in ((head[1], (first.w1, first.b1)), (head[4], (first.w2, first.b2))):
            layer.weight.copy_(torch.tensor(w))
            layer.bias.copy_(torch.tensor(b))
    lora = LoraConfig(
        r=args.rank,
        lora_alpha=2 * args.rank,
        lora_dropout=0.1,
        target_modules=["query", "key", "value", "dense"],
    )
    encoder = get_peft_model(AutoModel.from_pretrained(str(default_base_model_dir())), lora)
    layers = shipped.metadata.layers

    def logits(split: str, batch: list[int]):
        d = data[split]
        n = max(len(d["ids"][k]) for k in batch)
        ids = torch.zeros((len(batch), n), dtype=torch.long)
        mask = torch.zeros_like(ids)
        for i, k in enumerate(batch):
            ids[i, : len(d["ids"][k])] = torch.tensor(d["ids"][k], dtype=torch.long)
            mask[i, : len(d["ids"][k])] = 1
        states = encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states
        states = torch.stack(states[-layers:]).mean(0)
        parts, rows = [], []
        for i, k in enumerate(batch):
            _, _, start, holders, _ = d["sentences"][k]
            r = numpy.arange(start, start + len(holders))
            pooling = torch.tensor(d["pooling"][r, :, :n].astype(numpy.float32))
            pooled = torch.einsum("cvn,nh->cvh", pooling, states[i]).reshape(len(r), -1)
            parts.append(torch.cat([pooled, torch.tensor(d["categorical"][r])], 1))
            rows.append(r)
        return head((torch.cat(parts) - mean) / std), numpy.concatenate(rows)

    def dev_figures(tag: str) -> None:
        encoder.eval()
        head.eval()
        d = data["dev"]
        scores = numpy.zeros((len(d["labels"]), outputs), dtype=numpy.float32)
        order = sorted(range(len(d["ids"])), key=lambda k: len(d["ids"][k]))
        with torch.no_grad():
            for b in range(0, len(order), 64):
                out, rows = logits("dev", order[b : b + 64])
                scores[rows] = torch.sigmoid(out).numpy()
        print_dev_figures(tag, d["sentences"], scores, (0.1, 0.15, 0.2, 0.3))

    dev_figures("epoch 0 (the shipped first head, frozen encoder)")
    items = [(split, k) for split in ("train", "team") for k in range(len(data[split]["ids"]))]
    items = [item for item in items if random.random() < args.share]
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for p in encoder.parameters() if p.requires_grad], "lr": args.lr},
            {"params": head.parameters(), "lr": args.lr / 2},
        ],
        weight_decay=1e-4,
    )
    per_epoch = sum(
        (len([k for s, k in items if s == split]) + args.batch - 1) // args.batch
        for split in ("train", "team")
    )
    steps = args.epochs * per_epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, step / 50) * max(0.0, 1 - step / steps)
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for epoch in range(args.epochs):
        encoder.train()
        head.train()
        batches = []
        for split in ("train", "team"):  # batches of similar length, in random order
            keys = sorted((k for s, k in items if s == split), key=lambda k: len(data[split]["ids"][k]))
            batches += [(split, keys[b : b + args.batch]) for b in range(0, len(keys), args.batch)]
        random.shuffle(batches)
        began = time.perf_counter()
        for split, batch in batches:
            out, rows = logits(split, batch)
            loss = loss_fn(out, torch.tensor(data[split]["labels"][rows]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        dev_figures(f"epoch {epoch + 1} ({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=["prep", "train"])
    parser.add_argument("--split", default="train", choices=["train", "dev", "team"])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--share", type=float, default=1.0, help="share of the training sentences used")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--teacher",
        type=Path,
        default=None,
        help=".npy of cross-fitted teacher scores, train rows then team rows",
    )
    parser.add_argument("--teacher-weight", type=float, default=0.5)
    args = parser.parse_args()
    prep(args.split) if args.stage == "prep" else train(args)
