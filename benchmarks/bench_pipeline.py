"""Throughput and peak memory of the pipeline on the UN General Debate corpus.

Prints, for the same articles in one process: spaCy's parse alone (the floor), the
classifier alone on the extracted candidates, and the whole pipeline (ingest, parse, actors,
statements, classifier). Nothing is asserted; rerun with `make bench` or
`python benchmarks/bench_pipeline.py --articles 40`.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import UNGDC_CORPUS, parse_floor, peak_rss_mb  # noqa: E402
from flows.environment import prepare_environment  # noqa: E402

DEFAULT_CORPUS = UNGDC_CORPUS


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=24, help="speeches to process")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus folder {args.corpus} not found")
    prepare_environment()
    from pipeline.extract import process_articles
    from pipeline.ingest import IngestConfig, read_articles
    from pipeline.nlp import build_nlp
    from pipeline.stance.classifier import StanceClassifier
    from pipeline.stance.config import StanceConfig
    from pipeline.stance.inputs import StanceInput

    files = sorted(args.corpus.rglob("*.txt"))[: args.articles]
    articles = read_articles(files, IngestConfig()).articles
    chars = sum(len(a.text) for a in articles)
    print(f"{len(articles)} speeches, {chars / 1e6:.2f} M characters, from {args.corpus}")
    print(f"peak RSS before models: {peak_rss_mb():.0f} MB")

    parse_seconds = parse_floor(articles)
    print(f"peak RSS after spaCy parse: {peak_rss_mb():.0f} MB")

    nlp = build_nlp()
    classifier = StanceClassifier(StanceConfig())
    start = time.perf_counter()
    results = process_articles(articles, nlp, classifier)
    pipeline_seconds = time.perf_counter() - start
    statements = [s for r in results for s in r.statements]
    print(f"peak RSS after whole pipeline: {peak_rss_mb():.0f} MB")

    items = []
    for result in results:
        for s in result.statements:
            offset = s.text.find(s.holder.mention)
            offset = max(offset, 0)
            items.append(
                StanceInput(
                    s.text,
                    offset,
                    offset + len(s.holder.mention),
                    s.target.mention if s.target else None,
                    s.cue,
                )
            )
    start = time.perf_counter()
    classifier.predict(items)
    classify_seconds = time.perf_counter() - start

    rows = [
        ("spaCy parse alone (floor)", parse_seconds, len(articles), None),
        ("classifier alone", classify_seconds, None, len(items)),
        ("whole pipeline", pipeline_seconds, len(articles), len(statements)),
    ]
    print(f"\n{'stage':28} {'seconds':>8} {'articles/s':>11} {'statements/s':>13} {'chars/s':>10}")
    for name, seconds, n_articles, n_statements in rows:
        a = f"{n_articles / seconds:.2f}" if n_articles else "-"
        s = f"{n_statements / seconds:.1f}" if n_statements else "-"
        c = f"{chars / seconds:,.0f}" if n_articles else "-"
        print(f"{name:28} {seconds:8.2f} {a:>11} {s:>13} {c:>10}")
    print(
        f"\nwhole pipeline / parse alone: {pipeline_seconds / parse_seconds:.2f}x "
        f"({len(statements)} statements from {len(articles)} speeches)"
    )
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
