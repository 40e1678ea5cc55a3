"""What the derived outputs (Parquet, CSV, positions, report) cost at the end of a run.

Runs the core pipeline over real Guardian news (`../shared/corpora/guardian-syria`), writes
the contract JSONL, then rebuilds the derived files from it as a run does, and prints the
seconds of each step in the same process: the pipeline (the baseline a run pays anyway),
writing the JSONL, and rebuilding the derived files, with file sizes and peak memory.
Nothing is asserted; `python benchmarks/bench_outputs.py --articles 60`.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import GUARDIAN_CORPUS, peak_rss_mb, write_guardian_sample  # noqa: E402
from flows.environment import prepare_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=GUARDIAN_CORPUS, help="a JSONL file of articles")
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rebuilds of the derived files, best is printed"
    )
    args = parser.parse_args()
    if not args.corpus.is_file():
        sys.exit(f"corpus file {args.corpus} not found")
    prepare_environment()
    from pipeline.extract import process_articles
    from pipeline.ingest import IngestConfig, read_articles
    from pipeline.nlp import load_nlp
    from pipeline.output.derived import write_derived
    from pipeline.output.jsonio import write_jsonl
    from pipeline.runs import layout
    from pipeline.stance.classifier import load_classifier
    from pipeline.stance.config import StanceConfig

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        sample = write_guardian_sample(args.corpus, args.articles, out / "input.jsonl")
        articles = read_articles([sample], IngestConfig()).articles
        config = StanceConfig()
        nlp, classifier = load_nlp(), load_classifier(config.model_dir, config.device, config.batch_size)
        start = time.perf_counter()
        results = process_articles(articles, nlp, classifier)
        pipeline_seconds = time.perf_counter() - start
        start = time.perf_counter()
        write_jsonl(out / layout.ARTICLES, [r.article for r in results])
        statements = write_jsonl(out / layout.STATEMENTS, [s for r in results for s in r.statements])
        jsonl_seconds = time.perf_counter() - start
        derived = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            write_derived(out, errors=0)
            derived.append(time.perf_counter() - start)
        positions = len((out / layout.POSITIONS).read_text(encoding="utf-8").splitlines())
        sizes = {
            name: (out / name).stat().st_size
            for name in layout.OUTPUT_FILES.values()
            if (out / name).exists()
        }
        print(f"{len(results)} Guardian articles, {statements} statements, {positions} positions")
        print(f"core pipeline (the baseline):   {pipeline_seconds:8.2f} s")
        print(f"write the JSONL:                {jsonl_seconds:8.2f} s")
        print(
            f"rebuild derived files (best of {args.repeat}): {min(derived):8.2f} s "
            f"({min(derived) / pipeline_seconds:.1%} of the pipeline; "
            f"{statements / min(derived):,.0f} statements/s)"
        )
        print("sizes: " + json.dumps({name: f"{size / 1024:.0f} KiB" for name, size in sizes.items()}))
        print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
