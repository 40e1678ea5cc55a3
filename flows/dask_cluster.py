"""Batches on a Dask cluster (prefect-dask's DaskTaskRunner): a local cluster or a running
scheduler, with the flow's Prefect API handed to local workers. (Not named dask.py: Prefect puts
this folder on sys.path when it loads a deployment's flow file, where it would hide the dask package.)"""

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect_dask import DaskTaskRunner

from pipeline.settings import RunnerConfig


def task_runner(runner: RunnerConfig) -> tuple[DaskTaskRunner, str]:
    """The task runner for ``runner``'s settings, and where it runs, in words."""
    if runner.address:
        return DaskTaskRunner(address=runner.address), f"the Dask scheduler at {runner.address}"
    cluster = {
        "n_workers": runner.workers,
        "threads_per_worker": runner.threads_per_worker,
        "processes": True,
        "memory_limit": runner.memory_limit,
        "dashboard_address": ":0",  # a free port: runs side by side do not collide
    }
    return DaskTaskRunner(cluster_kwargs=cluster), f"a local Dask cluster of {runner.workers} workers"


def run_on_dask(task: Any, batches: Sequence[Any], settings: Any, commit: Callable[[Any], None]) -> None:
    """``task(articles=batch, settings=settings)`` for every batch on the Dask workers, each
    result passed to ``commit`` here, in order, as it comes back, with a bounded number in
    flight. The runner is entered here rather than through a subflow so that nothing but the
    batch and the settings is serialised to the workers (the run folder stays here)."""
    runner, where = task_runner(settings.runner)
    with _api_for_local_workers(), runner as dask:
        get_run_logger().info("running %d batches on %s", len(batches), where)
        window = 2 * (settings.runner.workers if not settings.runner.address else 4)
        queue = iter(batches)

        def submit(batch: Any) -> Any:
            return dask.submit(task, {"articles": batch, "settings": settings})

        pending = [submit(batch) for batch in islice(queue, window)]
        while pending:
            commit(pending.pop(0).result())
            pending.extend(submit(batch) for batch in islice(queue, 1))


@contextmanager
def _api_for_local_workers() -> Iterator[None]:
    """Local Dask workers inherit this process's environment: point them at the Prefect API
    this flow reports to (with no server configured, Prefect's temporary one), so that their
    task runs show up in the same flow run instead of each worker starting a server."""
    before = os.environ.get("PREFECT_API_URL")
    with get_client(sync_client=True) as client:
        api_url = str(client.api_url)
    os.environ["PREFECT_API_URL"] = api_url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
