"""The core pipeline's cost against spaCy's parse, in one process, as runs use it.

For each corpus (the Guardian news users feed in, and UN General Debate speeches) it times, on the
same articles in the same process: spaCy's English pipeline alone (the floor), then the core
pipeline with the attribution model (parse, actors, statements, encoder, heads, records; the
encoder in ONNX Runtime on a thread of its own beside the parse), and prints the ratio, articles
and statements per second and peak RSS. ``--compare`` adds the alternatives measured for issue 21:
the same pipeline without the overlap (the encoder on both cores after the parse), the PyTorch
encoder, and spaCy's ``nlp.pipe(n_process=2)``. Where a CUDA GPU is present it adds the PyTorch
encoder on it. Nothing is asserted; `python benchmarks/bench_pipeline.py --articles 200`.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    GUARDIAN_CORPUS,
    UNGDC_CORPUS,
    parse_floor,
    peak_rss_mb,
    read_guardian_sample,
)
from flows.environment import prepare_environment  # noqa: E402


def _articles(corpus: str, count: int) -> list:
    from pipeline.ingest import IngestConfig, read_articles

    if corpus == "guardian":
        return read_guardian_sample(GUARDIAN_CORPUS, count)
    files = sorted(UNGDC_CORPUS.rglob("*.txt"))[:count]
    return read_articles(files, IngestConfig()).articles


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _timed(label: str, work, rows: list, floor: float | None = None) -> float:
    wall, cpu = time.perf_counter(), _cpu()
    count = work()
    seconds, cpu = time.perf_counter() - wall, _cpu() - cpu
    rows.append((label, seconds, cpu, count))
    return seconds


def _pipeline(nlp, attributor, articles, overlap: bool) -> int:
    from pipeline import extract

    batch = 64  # the flow's articles_per_batch
    statements = 0
    for first in range(0, len(articles), batch):
        chunk = articles[first : first + batch]
        prepared = [extract.body_doc(nlp, a)[0] for a in chunk]
        if overlap:
            _, found = extract.parse_and_attribute(nlp, prepared, [None] * len(chunk), attributor, 32)
        else:
            found = attributor.attribute(list(nlp.pipe(prepared, batch_size=32)), [None] * len(chunk))
        statements += sum(len(f) for f in found)
    return statements


def _records(nlp, attributor, articles) -> int:
    from pipeline.extract import process_articles

    return sum(
        len(r.statements)
        for first in range(0, len(articles), 64)
        for r in process_articles(articles[first : first + 64], nlp, attributor=attributor)
    )


def _two_processes(nlp, articles, attributor=None) -> int:
    """spaCy's own pipes in two processes (the project's components hold Python objects that do
    not cross processes, so they run after, in this one), then the attribution, if given."""
    from pipeline.extract import body_doc

    ours = ("stance_actors", "stance_statements")
    texts = [body_doc(nlp, a)[0] for a in articles]
    with nlp.select_pipes(disable=list(ours)):
        docs = list(nlp.pipe(texts, batch_size=32, n_process=2))
    for name in ours:
        docs = [nlp.get_pipe(name)(doc) for doc in docs]
    if attributor is None:
        return 0
    return sum(len(found) for found in attributor.attribute(docs, [None] * len(docs)))


def bench(corpus: str, count: int, compare: bool) -> None:
    from pipeline.attribution.attributor import Attributor
    from pipeline.attribution.config import AttributionConfig
    from pipeline.nlp import build_nlp

    articles = _articles(corpus, count)
    chars = sum(len(a.text) for a in articles)
    print(f"\n== {corpus}: {len(articles)} articles, {chars / 1e6:.2f} M characters")
    rows: list = []

    def floor_work() -> int:
        parse_floor(articles)
        return 0

    floor = _timed("spaCy parse alone (floor)", floor_work, rows)
    nlp = build_nlp()
    start = time.perf_counter()
    attributor = Attributor(AttributionConfig())
    load = time.perf_counter() - start
    _pipeline(nlp, attributor, articles[:4], overlap=True)  # warm up
    _timed("core pipeline, records included", lambda: _records(nlp, attributor, articles), rows)
    _timed("core pipeline, no records", lambda: _pipeline(nlp, attributor, articles, True), rows)
    rss = peak_rss_mb()  # before any alternative loads more
    if compare:
        both = Attributor(AttributionConfig(threads=2))
        _timed("  no overlap, encoder on 2 threads", lambda: _pipeline(nlp, both, articles, False), rows)
        torch_encoder = Attributor(AttributionConfig(runtime="torch", threads=2))
        _timed("  no overlap, PyTorch encoder", lambda: _pipeline(nlp, torch_encoder, articles, False), rows)
        _timed("  parse only, nlp.pipe(n_process=2)", lambda: _two_processes(nlp, articles), rows)
        _timed("  n_process=2, then encoder on 2 threads", lambda: _two_processes(nlp, articles, both), rows)
    import torch  # after the peak RSS above: the core pipeline does not import it

    if torch.cuda.is_available():
        gpu = Attributor(AttributionConfig(runtime="torch", device="cuda"))
        _timed("  PyTorch encoder on the GPU", lambda: _pipeline(nlp, gpu, articles, True), rows)
    print(f"attribution model load (ONNX encoder + heads): {load:.2f} s")
    print(f"{'stage':40} {'wall s':>7} {'cpu s':>7} {'x parse':>8} {'articles/s':>10} {'statements':>10}")
    for label, seconds, cpu, statements in rows:
        shown = str(statements) if statements else "-"
        print(
            f"{label:40} {seconds:7.2f} {cpu:7.2f} {seconds / floor:8.2f} "
            f"{len(articles) / seconds:10.2f} {shown:>10}"
        )
    print(f"peak RSS, parse and core pipeline: {rss:.0f} MB; after the alternatives: {peak_rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", choices=("guardian", "ungdc", "both"), default="both")
    parser.add_argument("--articles", type=int, default=200, help="Guardian articles (UN speeches: a tenth)")
    parser.add_argument("--compare", action="store_true", help="also time the alternatives")
    args = parser.parse_args()
    if not GUARDIAN_CORPUS.is_file() or not UNGDC_CORPUS.is_dir():
        sys.exit(f"corpora not found under {GUARDIAN_CORPUS.parent.parent}")
    prepare_environment()
    if args.corpus in ("guardian", "both"):
        bench("guardian", args.articles, args.compare)
    if args.corpus in ("ungdc", "both"):
        bench("ungdc", max(1, args.articles // 10), args.compare)


if __name__ == "__main__":
    main()
