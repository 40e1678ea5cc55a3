"""Articles/s of the extraction flow on the default runner and on 1 and 2 Dask workers.

The same UN General Debate speeches go through the real `stance-extract` flow three times,
into fresh output folders: the default runner (batches in this process), then a local Dask
cluster of 1 and of 2 worker processes (joined with `runner.address`, so that the benchmark
can read each worker's peak memory afterwards). Timings include loading the models, in this
process or in each worker, as a real run pays it (the Dask cluster's start is not included).
Nothing is asserted; run with `make bench` or
`python benchmarks/bench_runners.py --articles 32 --batch 4`.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import UNGDC_CORPUS, peak_rss_mb  # noqa: E402
from flows.environment import prepare_environment  # noqa: E402

DEFAULT_CORPUS = UNGDC_CORPUS


def _run(inputs: list[str], out: Path, settings) -> tuple[float, dict]:
    from flows.extract import extract_flow

    start = time.perf_counter()
    manifest = extract_flow(inputs, str(out), settings).manifest
    return time.perf_counter() - start, manifest


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=32, help="speeches to process")
    parser.add_argument("--batch", type=int, default=4, help="articles per batch")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Dask cluster sizes")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus folder {args.corpus} not found")
    prepare_environment()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from dask.distributed import Client, LocalCluster

    from pipeline.runs import layout
    from pipeline.settings import Settings

    scratch = Path(tempfile.mkdtemp(prefix="stance-bench-runners-"))
    inbox = scratch / "inbox"
    inbox.mkdir()
    files = sorted(args.corpus.rglob("*.txt"))[: args.articles]
    for path in files:  # a folder of its own, so every run reads exactly these speeches
        (inbox / path.name).write_bytes(path.read_bytes())
    chars = sum(p.stat().st_size for p in files)
    print(f"{len(files)} speeches ({chars / 1e6:.2f} MB) from {args.corpus}, {args.batch} per batch")
    print(f"cores: {os.cpu_count()}")
    settings = Settings().model_copy(update={"articles_per_batch": args.batch})

    rows = []
    seconds, manifest = _run([str(inbox)], scratch / "default", settings)
    rows.append(("default (this process)", seconds, manifest, {"this process": peak_rss_mb()}))
    reference = (scratch / "default" / layout.STATEMENTS).read_bytes()

    for workers in args.workers:
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            dask_settings = settings.with_updates(
                runner={"kind": "dask", "address": cluster.scheduler_address}
            )
            out = scratch / f"dask-{workers}"
            seconds, manifest = _run([str(inbox)], out, dask_settings)
            peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            same = (out / layout.STATEMENTS).read_bytes() == reference
        rows.append((f"dask, {workers} worker{'s' * (workers > 1)}", seconds, manifest, peaks))
        print(f"dask {workers}: statements byte-identical to the default runner: {same}")

    print()
    print(
        f"{'runner':<24} {'articles':>8} {'seconds':>8} {'articles/s':>10} {'statements/s':>12}  peak RSS MB"
    )
    for name, seconds, manifest, peaks in rows:
        counts = manifest["counts"]
        memory = ", ".join(f"{value:.0f}" for value in peaks.values())
        processed, statements = counts["articles_processed"], counts["statements"]
        print(
            f"{name:<24} {processed:>8} {seconds:>8.1f} "
            f"{processed / seconds:>10.2f} {statements / seconds:>12.1f}  {memory}"
        )
    print()
    print("per-worker batches and model loads:")
    for name, _, manifest, _ in rows[1:]:
        print(f"  {name}: {json.dumps(manifest['runner']['workers'])}")
    print(f"outputs in {scratch}")


if __name__ == "__main__":
    main()
