"""Does a head that reads the sentence's tokens, with the candidate and its predicate marked, score
attribution better than the heads over mean-pooled feature rows? Measured on guardian dev.

    python scripts/marker_experiment.py build --split {train,dev,team} --base DIR --name tok6 --depth 6
    python scripts/marker_experiment.py compare --name tok6 --team 1.0 [--width 128] [--members 3]

``build`` caches what ``attribution_experiment.py build`` caches (feature rows, labels, decoding
details) plus each sentence's token vectors (float16) and each candidate's marker types
(``dataset.token_rows``). ``compare`` trains heads with the marked-token reader
(``pipeline/attribution/marker.py``) on train (and the team's written sentences) and prints dev
figures, beside the feature-row heads trained on the same rows (``--skip-rows`` leaves them out).
"""

import argparse
import pickle
import time
from pathlib import Path

import numpy
from attribution_experiment import CACHE, _load, cached_sentences, print_dev_figures, team_share

from pipeline.attribution.dataset import build, team_articles, token_rows
from pipeline.attribution.encoder import SentenceEncoder
from pipeline.attribution.features import RULE_FEATURES
from pipeline.attribution.marker import TokenRows
from pipeline.attribution.model import AttributionMetadata, AttributionModel
from pipeline.evaluate.config import DevSetConfig
from pipeline.evaluate.guardian import GUARDIAN_DIR, load_guardian
from pipeline.stance.config import TrainConfig, default_base_model_dir

THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.3)


def build_stage(args: argparse.Namespace) -> None:
    from pipeline.nlp import load_nlp

    CACHE.mkdir(parents=True, exist_ok=True)
    if args.split == "team":
        articles = team_articles(TrainConfig().data_dir, TrainConfig().dev_batches)
    else:
        articles = load_guardian(GUARDIAN_DIR, DevSetConfig().shared_corpora, [args.split])
    began = time.perf_counter()
    encoder = SentenceEncoder(args.base or default_base_model_dir(), layers=args.layers, depth=args.depth)
    examples = build(articles, load_nlp(), encoder, keep_readings=True)
    tokens = token_rows(examples)
    with open(CACHE / f"{args.name}-{args.split}.pkl", "wb") as f:
        pickle.dump(
            {
                "X": examples.features,
                "Y": examples.labels,
                "groups": examples.groups,
                "sentences": cached_sentences(examples),
                "states": [s.astype(numpy.float16) for s in tokens.states],
                "types": tokens.types,
            },
            f,
        )
    print(args.split, examples.features.shape, f"{time.perf_counter() - began:.0f} s")


def tokens_of(data: dict) -> TokenRows:
    sentence_of = numpy.repeat(numpy.arange(len(data["sentences"])), [len(s[3]) for s in data["sentences"]])
    return TokenRows([s.astype(numpy.float32) for s in data["states"]], sentence_of, list(data["types"]))


def compare_stage(args: argparse.Namespace) -> None:
    train, dev = _load(args.name, "train"), _load(args.name, "dev")
    width = train["X"].shape[1] - RULE_FEATURES  # the model alone, as shipped (no rule votes)
    x, y, tokens = train["X"][:, :width], train["Y"], tokens_of(train)
    if args.team:
        team = _load(args.name, "team")
        keep = team_share(args, len(team["X"]))
        x = numpy.concatenate([x, team["X"][keep, :width]])
        y = numpy.concatenate([y, team["Y"][keep]])
        tokens = tokens.join(tokens_of(team).subset(numpy.flatnonzero(keep)))
    x_dev, dev_tokens = dev["X"][:, :width], tokens_of(dev)
    rows = AttributionMetadata(
        name="rows", version="0", encoder=args.name, features=width, hidden=args.hidden, threshold=0.5,
        members=args.members,
    )  # fmt: skip
    if not args.skip_rows:
        baseline = AttributionModel.fit(x, y, rows, seed=args.seed)
        print_dev_figures(
            f"feature rows, {args.members} heads", dev["sentences"], baseline.scores(x_dev), THRESHOLDS
        )
    marked = AttributionMetadata(**{**rows.__dict__, "name": "marked", "marker": args.width})
    model = AttributionModel.fit(x, y, marked, epochs=args.epochs, seed=args.seed, tokens=tokens, log=print)
    scores = model.scores(x_dev, dev_tokens)
    if args.save:
        numpy.save(args.save, scores)
    label = f"marked tokens width={args.width} epochs={args.epochs}, {args.members} heads"
    print_dev_figures(label, dev["sentences"], scores, THRESHOLDS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=["build", "compare"])
    parser.add_argument("--split", default="train", choices=["train", "dev", "team"])
    parser.add_argument("--base", type=Path, default=None)
    parser.add_argument("--name", default="tok6")
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--team", type=float, default=1.0)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--skip-rows", action="store_true", help="do not train the feature-row heads")
    parser.add_argument("--save", type=Path, default=None, help="save the dev scores (.npy)")
    args = parser.parse_args()
    {"build": build_stage, "compare": compare_stage}[args.stage](args)
