"""Cost of the learned attribution on real Guardian news, against spaCy's parse and the old path.

For the same articles in one process it prints: spaCy's parse alone (the floor), the whole core
pipeline with the attribution model (what runs use), the encoder and head alone, the old path
(dependency rules plus the four-member stance classifier) and peak RSS. Nothing is asserted;
`python benchmarks/bench_attribution.py --articles 60`.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import GUARDIAN_CORPUS, parse_floor, peak_rss_mb, read_guardian_sample  # noqa: E402
from flows.environment import prepare_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=GUARDIAN_CORPUS, help="a JSONL file of articles")
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--old-path", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    if not args.corpus.is_file():
        sys.exit(f"corpus file {args.corpus} not found")
    prepare_environment()
    from pipeline.attribution.attributor import Attributor
    from pipeline.attribution.config import AttributionConfig
    from pipeline.extract import body_doc, process_articles
    from pipeline.nlp import build_nlp

    articles = read_guardian_sample(args.corpus, args.articles)
    chars = sum(len(a.text) for a in articles)
    print(f"{len(articles)} Guardian articles, {chars / 1e6:.2f} M characters, from {args.corpus}")

    parse = parse_floor(articles)
    print(f"peak RSS after spaCy parse: {peak_rss_mb():.0f} MB")

    nlp = build_nlp()
    start = time.perf_counter()
    attributor = Attributor(AttributionConfig())
    load = time.perf_counter() - start
    start = time.perf_counter()
    results = process_articles(articles, nlp, attributor=attributor)
    whole = time.perf_counter() - start
    statements = sum(len(r.statements) for r in results)
    print(f"peak RSS after the pipeline with attribution: {peak_rss_mb():.0f} MB")

    docs = list(nlp.pipe((body_doc(nlp, a)[0] for a in articles), batch_size=32))
    start = time.perf_counter()
    attributor.attribute(docs, [None] * len(docs))
    alone = time.perf_counter() - start

    rows = [
        ("spaCy parse alone (floor)", parse, None),
        ("attribution model load", load, None),
        ("attribution alone (encoder + head)", alone, None),
        ("whole pipeline, attribution", whole, statements),
    ]
    if args.old_path:
        from pipeline.stance.classifier import StanceClassifier
        from pipeline.stance.config import StanceConfig

        classifier = StanceClassifier(StanceConfig())
        start = time.perf_counter()
        old = process_articles(articles, nlp, classifier)
        rows.append(
            (
                "whole pipeline, rules + classifier",
                time.perf_counter() - start,
                sum(len(r.statements) for r in old),
            )
        )
    print(f"\n{'stage':38} {'seconds':>8} {'articles/s':>11} {'statements':>11} {'x parse':>8}")
    for name, seconds, count in rows:
        shown = "-" if count is None else str(count)
        print(f"{name:38} {seconds:8.2f} {len(articles) / seconds:11.2f} {shown:>11} {seconds / parse:8.2f}")
    print(f"\nwhole pipeline with attribution / parse alone: {whole / parse:.2f}x")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
