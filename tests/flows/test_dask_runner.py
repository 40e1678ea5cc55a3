"""The extraction flow on a 2-worker local Dask cluster gives the default runner's output."""

import json

import pytest

pytestmark = [pytest.mark.flow, pytest.mark.slow, pytest.mark.integration]


def test_two_dask_workers_give_byte_identical_statements(tmp_path, samples_dir):
    from flows.extract import extract_flow
    from pipeline.settings import Settings

    settings = Settings().model_copy(update={"articles_per_batch": 1})
    default = extract_flow([str(samples_dir)], str(tmp_path / "default"), settings).manifest
    dask_settings = settings.with_updates(runner={"kind": "dask", "workers": 2})
    on_dask = extract_flow([str(samples_dir)], str(tmp_path / "dask"), dask_settings).manifest

    for name in ("articles.jsonl", "statements.jsonl"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "default" / name).read_bytes()
    assert on_dask["counts"] == default["counts"]
    workers = on_dask["runner"]["workers"]
    assert on_dask["runner"]["kind"] == "dask" and len(workers) == 2
    assert sum(w["batches"] for w in workers.values()) == 6
    # spaCy and the classifier: loaded once per worker, however many batches it ran
    assert all(w["model_loads"] == 2 for w in workers.values()), json.dumps(workers)


def test_joining_a_running_dask_scheduler(tmp_path, samples_dir):
    import os

    from dask.distributed import Client, LocalCluster

    from flows.extract import extract_flow
    from pipeline.settings import Settings

    article = samples_dir / "01_black_sea_grain_talks.txt"
    default = extract_flow([str(article)], str(tmp_path / "default")).manifest
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        (worker_pid,) = client.run(os.getpid).values()
        settings = Settings().with_updates(runner={"kind": "dask", "address": cluster.scheduler_address})
        joined = extract_flow([str(article)], str(tmp_path / "joined"), settings).manifest
    (worker,) = joined["runner"]["workers"]
    assert worker.endswith(f":{worker_pid}")  # the batch ran on this cluster's worker
    statements = (tmp_path / "joined" / "statements.jsonl").read_bytes()
    assert statements == (tmp_path / "default" / "statements.jsonl").read_bytes()
    assert joined["counts"]["statements"] == default["counts"]["statements"] > 0
