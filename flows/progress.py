"""A run's progress: one log line per committed batch, a Prefect progress artifact, a table
artifact with the run's counts at the end, and in-process listeners (the CLI's progress bar).

Listeners are plain callables registered for a block with ``listening(callback)``; they are
called in the flow's process with ``(articles_done, articles_total, statements)``. A deployment
run has none, and loses nothing: its progress is in the artifacts and the log.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, create_table_artifact, update_progress_artifact


class BatchDone(Protocol):
    results: list
    worker: str
    model_loads: int


Listener = Callable[[int, int, int], None]
_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def tell(done: int, total: int, statements: int) -> None:
    for listener in list(_listeners):
        listener(done, total, statements)


class RunProgress:
    """Counts what the run has committed and tells the log, the artifacts and the listeners."""

    def __init__(self, total: int, description: str) -> None:
        self.total, self.articles, self.statements = total, 0, 0
        self.clock = time.perf_counter()
        self.workers: dict[str, dict[str, int]] = {}
        self.artifact = None
        if total:
            self.artifact = create_progress_artifact(0.0, key="stance-run-progress", description=description)
        self._tell()

    def _tell(self) -> None:
        tell(self.articles, self.total, self.statements)

    def add(self, output: BatchDone, batch: int) -> None:
        self.articles += len(output.results)
        self.statements += sum(len(r.statements) for r in output.results)
        worker = self.workers.setdefault(output.worker, {"batches": 0, "model_loads": 0})
        worker["batches"] += 1
        worker["model_loads"] = max(worker["model_loads"], output.model_loads)
        elapsed = max(time.perf_counter() - self.clock, 1e-9)
        rate = self.articles / elapsed
        eta = (self.total - self.articles) / rate if rate else 0.0
        get_run_logger().info(
            "committed batch %d: %d/%d articles, %d statements (%.2f articles/s, %.1f statements/s, "
            "about %.0f s left)",
            batch,
            self.articles,
            self.total,
            self.statements,
            rate,
            self.statements / elapsed,
            eta,
        )
        if self.artifact is not None:
            update_progress_artifact(self.artifact, 100.0 * self.articles / self.total)
        self._tell()

    def publish(self, manifest: dict[str, Any]) -> None:
        """The run's counts as a table artifact (what the CLI's summary shows)."""
        create_table_artifact(
            counts_table(manifest), key="stance-run-counts", description="stance run counts"
        )


def counts_table(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    counts, output = manifest["counts"], manifest["output"]
    rows = [
        ("articles processed", counts["articles_processed"], output["articles"]),
        ("articles changed", counts["articles_changed"], None),
        ("articles skipped (already done)", counts["articles_unchanged"], None),
        ("articles skipped (duplicates)", counts["articles_duplicate"], None),
        ("inputs failed", counts["articles_failed"], None),
        ("statements", counts["statements"], output["statements"]),
        *((f"statements: {stance}", None, n) for stance, n in output["statements_by_stance"].items()),
    ]
    return [{"what": what, "this run": this, "output folder": folder} for what, this, folder in rows]
