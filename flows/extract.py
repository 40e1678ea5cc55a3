"""The extraction flow: discover and read inputs, skip what is done, extract in batches, commit.

Every batch is committed to the output folder as soon as it is extracted (see
``pipeline.state``), so a run that is killed loses at most the batches in flight, and the
next run picks up where it stopped. Batches run in the flow's process by default, or on a
Dask cluster through prefect-dask's ``DaskTaskRunner`` (``settings.runner.kind == "dask"``).
"""

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import INPUTS, NO_CACHE

from flows.progress import RunProgress
from pipeline.attribution.attributor import load_attributor
from pipeline.errors import visible
from pipeline.extract import ArticleResult, process_articles
from pipeline.ingest import CleanArticle, FetchConfig, InputError, RawDocument
from pipeline.nlp import load_nlp
from pipeline.output.records import ErrorRecord
from pipeline.rerun import finish_run, plan_articles
from pipeline.run import ReadResult, discover, processing_version, read_articles
from pipeline.settings import Settings
from pipeline.stance.classifier import load_classifier
from pipeline.state import RunState

TAGS = ("stance",)


@dataclass(frozen=True)
class BatchOutput:
    """One extracted batch, and which process did it with how many model loads so far."""

    results: list[ArticleResult]
    worker: str
    model_loads: int


@task(name="discover-inputs", cache_policy=NO_CACHE, tags=TAGS)
def discover_inputs(inputs: list[str], settings: Settings) -> tuple[list[Path], list[str], list[ErrorRecord]]:
    files, urls, errors = discover(inputs, settings.ingest)
    get_run_logger().info(
        "found %d input files and %d URLs (%d input problems)", len(files), len(urls), len(errors)
    )
    return files, urls, errors


@task(name="fetch-sources", cache_policy=INPUTS, persist_result=True, tags=(*TAGS, "network"))
def fetch_sources(urls: list[str], config: FetchConfig) -> list[RawDocument | InputError]:
    """Pages and feeds over HTTP(S), with retries, backoff, timeouts and size caps inside.
    Cached on its inputs for ``config.cache_minutes``: a retried or repeated run soon after
    does not fetch the same pages again."""
    from pipeline.ingest.fetch import fetch_documents

    documents = fetch_documents(urls, config)
    failed = sum(isinstance(item, InputError) for item in documents)
    get_run_logger().info(
        "fetched %d URLs: %d documents, %d failed", len(urls), len(documents) - failed, failed
    )
    return documents


def fetch(urls: list[str], config: FetchConfig) -> list[RawDocument | InputError]:
    if not urls:
        return []
    if config.cache_minutes == 0:
        return fetch_sources.with_options(cache_policy=NO_CACHE, persist_result=False)(urls, config)
    return fetch_sources.with_options(cache_expiration=timedelta(minutes=config.cache_minutes))(urls, config)


@task(name="read-articles", cache_policy=NO_CACHE, tags=TAGS)
def read_inputs(files: list[Path], fetched: list[RawDocument | InputError], settings: Settings) -> ReadResult:
    result = read_articles(files, settings.ingest, fetched)
    logger = get_run_logger()
    for error in result.errors:
        logger.warning("input failed: %s: %s", visible(error.source), visible(error.message))
    for article in result.articles:
        if article.published_raw is not None:
            logger.warning(
                "%s: published date %s not understood; written as null",
                visible(article.source),
                visible(repr(article.published_raw)),
            )
    logger.info(
        "read %d articles, %d inputs failed, %d duplicates skipped",
        len(result.articles),
        len(result.errors),
        len(result.duplicates),
    )
    return result


def load_models(settings: Settings):
    """spaCy and the attribution model (or the classifier), loaded once per process; the CLI
    calls it while the Prefect server starts, so that the two overlap."""
    nlp = load_nlp(settings.actors.gazetteer_dir)
    if settings.attribution.enabled:
        return nlp, load_attributor(settings.attribution.model_dir, settings.attribution.batch_size)
    return nlp, load_classifier(settings.stance.model_dir, settings.stance.device, settings.stance.batch_size)


@task(
    name="extract-statements", cache_policy=NO_CACHE, tags=(*TAGS, "models"), retries=1, retry_delay_seconds=5
)
def extract_batch(articles: list[CleanArticle], settings: Settings) -> BatchOutput:
    """Models are loaded once per process (cached loaders), never passed between tasks;
    on Dask that means once per worker."""
    nlp, model = load_models(settings)
    if settings.attribution.enabled:
        results = process_articles(articles, nlp, batch_size=settings.spacy_batch_size, attributor=model)
    else:
        results = process_articles(articles, nlp, model, settings.spacy_batch_size)
    loads = (
        load_nlp.cache_info().misses
        + load_classifier.cache_info().misses
        + load_attributor.cache_info().misses
    )
    return BatchOutput(results, worker=f"{os.uname().nodename}:{os.getpid()}", model_loads=loads)


@task(name="commit-batch", cache_policy=NO_CACHE, tags=TAGS)
def commit_batch(state: RunState, output: BatchOutput) -> int:
    return state.commit_batch(output.results)


def _batches(articles: Sequence[CleanArticle], size: int) -> Iterator[list[CleanArticle]]:
    for first in range(0, len(articles), size):
        yield list(articles[first : first + size])


def _run_here(batches: list[list[CleanArticle]], settings: Settings, state: RunState, progress: RunProgress):
    for batch in batches:
        output = extract_batch(batch, settings)
        progress.add(output, commit_batch(state, output))


def _run_on_dask(
    batches: list[list[CleanArticle]], settings: Settings, state: RunState, progress: RunProgress
):
    """Batches run on the Dask workers through a DaskTaskRunner and are committed here, in
    order, as they come back, with a bounded number in flight."""
    from prefect_dask import DaskTaskRunner

    runner = settings.runner
    if runner.address:
        task_runner = DaskTaskRunner(address=runner.address)
        where = f"the Dask scheduler at {runner.address}"
    else:
        task_runner = DaskTaskRunner(
            cluster_kwargs={
                "n_workers": runner.workers,
                "threads_per_worker": runner.threads_per_worker,
                "processes": True,
                "memory_limit": runner.memory_limit,
                "dashboard_address": ":0",  # a free port: runs side by side do not collide
            }
        )
        where = f"a local Dask cluster of {runner.workers} workers"

    # The runner is entered here rather than through a subflow so that nothing but the
    # batch and the settings is serialised to the workers (the state store stays here).
    with _api_for_local_workers(), task_runner as dask:
        get_run_logger().info("running %d batches on %s", len(batches), where)
        window = 2 * (runner.workers if not runner.address else 4)
        queue = iter(batches)
        pending = [
            dask.submit(extract_batch, {"articles": b, "settings": settings}) for b in islice(queue, window)
        ]
        while pending:
            output = pending.pop(0).result()
            progress.add(output, commit_batch(state, output))
            for batch in islice(queue, 1):
                pending.append(dask.submit(extract_batch, {"articles": batch, "settings": settings}))


@contextmanager
def _api_for_local_workers() -> Iterator[None]:
    """Local Dask workers inherit this process's environment: point them at the Prefect API
    this flow reports to (with no server configured, Prefect's temporary one), so that their
    task runs show up in the same flow run instead of each worker starting a server."""
    from prefect.client.orchestration import get_client

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


@flow(name="stance-extract", log_prints=False, validate_parameters=False)
def extract_flow(
    inputs: list[str],
    out_dir: str,
    settings: Settings | None = None,
    config_file: str | None = None,
) -> dict:
    """Articles in ``inputs`` to contract-1.1 JSONL (and its derived Parquet, CSV, positions and
    report) in ``out_dir``; returns the manifest.

    Only new or changed articles are processed (the state store in ``out_dir`` remembers what
    each model version did); ``config_file`` is read when ``settings`` is not given.
    """
    settings = settings or Settings.load(config_file)
    logger = get_run_logger()
    started, clock = datetime.now(UTC), time.perf_counter()
    out = Path(out_dir)
    version = processing_version(settings)
    with RunState(out, version, settings.state_file) as state:
        if state.recovery.archived_to is not None:
            logger.warning(
                "new processing version %s: earlier output moved to %s",
                version,
                visible(state.recovery.archived_to),
            )
        for name, count in state.recovery.truncated.items():
            logger.warning("resuming: cut %d uncommitted bytes from %s", count, name)
        files, urls, errors = discover_inputs(inputs, settings)
        read = read_inputs(files, fetch(urls, settings.ingest.fetch), settings)
        errors = [*errors, *read.errors]
        plan = plan_articles(read.articles, state)
        logger.info(
            "%d articles to process (%d changed), %d already done by %s",
            len(plan.new),
            len(plan.changed),
            len(plan.unchanged),
            version,
        )
        batches = list(_batches(plan.new, settings.articles_per_batch))
        progress = RunProgress(len(plan.new), f"stance run into {out_dir}")
        if batches and settings.runner.kind == "dask":
            _run_on_dask(batches, settings, state, progress)
        else:
            _run_here(batches, settings, state, progress)
        manifest, report = finish_run(
            state,
            inputs=inputs,
            plan=plan,
            read=read,
            errors=errors,
            processed=progress.articles,
            statements=progress.statements,
            runner={"kind": settings.runner.kind, "workers": progress.workers},
            started=started,
            clock=clock,
            settings=settings,
        )
        progress.publish(manifest)
        create_markdown_artifact(
            markdown=report, key="stance-run-report", description=f"stance run into {out_dir}"
        )
    logger.info(
        "wrote %s: %d articles processed, %d skipped, %d failed, %d statements",
        visible(out_dir),
        progress.articles,
        len(plan.unchanged) + len(read.duplicates),
        len(errors),
        progress.statements,
    )
    return manifest
