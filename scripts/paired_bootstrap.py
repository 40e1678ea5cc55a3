"""Two models compared on the same Guardian articles: the difference in support/refusal/mediation
holder+stance F1 and in right holder, with a paired bootstrap over articles.

    stance evaluate --corpus guardian --split dev --errors old.jsonl            # shipped model
    stance evaluate --corpus guardian --split dev --errors new.jsonl --model-dir DIR
    python scripts/paired_bootstrap.py old.jsonl new.jsonl

Each resample draws articles with replacement and scores both models on the same draw, so the
articles' shared difficulty cancels out of the difference (the interval of a difference is
narrower than the two models' own intervals suggest).
"""

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy

HEADLINE = ("support", "refusal", "mediation")


def counts_by_article(path: Path) -> dict[str, Counter]:
    """Per article: S/R/M true positives, predictions, gold statements, gold with the right holder."""
    found: dict[str, Counter] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        c = found.setdefault(str(row.get("article")), Counter())
        gold, predicted = row.get("gold_stance") in HEADLINE, row.get("stance") in HEADLINE
        outcome = row["outcome"]
        c["gold"] += gold
        c["holder"] += gold and outcome in ("match", "wrong-stance")
        c["tp"] += gold and outcome == "match"
        c["predicted"] += predicted and outcome in ("match", "wrong-stance", "extra")
    return found


def figures(c: Counter) -> tuple[float, float]:
    """(S/R/M F1, right holder) of summed counts."""
    precision = c["tp"] / c["predicted"] if c["predicted"] else 0.0
    recall = c["tp"] / c["gold"] if c["gold"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, (c["holder"] / c["gold"] if c["gold"] else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    old, new = counts_by_article(args.old), counts_by_article(args.new)
    articles = sorted(set(old) | set(new))
    rng = numpy.random.default_rng(args.seed)
    differences = []
    for _ in range(args.resamples):
        draw = rng.choice(len(articles), size=len(articles), replace=True)
        a = sum((old.get(articles[i], Counter()) for i in draw), Counter())
        b = sum((new.get(articles[i], Counter()) for i in draw), Counter())
        differences.append(numpy.subtract(figures(b), figures(a)))
    low, high = numpy.percentile(differences, [2.5, 97.5], axis=0)
    whole_old = figures(sum(old.values(), Counter()))
    whole_new = figures(sum(new.values(), Counter()))
    for k, name in enumerate(("S/R/M holder+stance F1", "right holder")):
        print(
            f"{name}: {whole_old[k]:.3f} -> {whole_new[k]:.3f}, difference "
            f"{whole_new[k] - whole_old[k]:+.3f} [{low[k]:+.3f}, {high[k]:+.3f}] "
            f"({len(articles)} articles, {args.resamples} paired resamples)"
        )


if __name__ == "__main__":
    main()
