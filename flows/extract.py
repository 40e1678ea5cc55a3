"""The extraction flow: resolve the settings, read the inputs, plan through the run folder,
extract in batches (here or on Dask), commit each batch in order, publish the summary.

Where the output goes and what is already done is the run folder's business
(``pipeline.runs.folder``); reading inputs is ingest's (``pipeline.ingest.inputs``). Every batch
is committed as soon as it is extracted, so a run that is killed loses at most the batches in
flight, and the next run picks up where it stopped.
"""

import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import INPUTS, NO_CACHE

from flows.dask_cluster import run_on_dask
from flows.progress import RunProgress
from pipeline.attribution.attributor import load_attributor
from pipeline.errors import visible
from pipeline.extract import ArticleResult, process_articles
from pipeline.ingest import (
    CleanArticle,
    FetchConfig,
    InputError,
    RawDocument,
    ReadResult,
    discover,
    fetch_documents,
    read_articles,
)
from pipeline.nlp import load_nlp
from pipeline.runs.folder import RunFolder, RunSummary
from pipeline.settings import Settings
from pipeline.stance.classifier import load_classifier

TAGS = ("stance",)


@dataclass(frozen=True)
class BatchOutput:
    """One extracted batch, and which process did it with how many model loads so far."""

    results: list[ArticleResult]
    worker: str
    model_loads: int


@task(name="discover-inputs", cache_policy=NO_CACHE, tags=TAGS)
def discover_inputs(inputs: list[str], settings: Settings) -> tuple[list[Path], list[str], list[InputError]]:
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
        return nlp, load_attributor(settings.attribution)
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
def commit_batch(folder: RunFolder, output: BatchOutput) -> int:
    return folder.commit(output.results)


def _batches(articles: Sequence[CleanArticle], size: int) -> Iterator[list[CleanArticle]]:
    for first in range(0, len(articles), size):
        yield list(articles[first : first + size])


@flow(name="stance-extract", log_prints=False, validate_parameters=False)
def extract_flow(
    inputs: list[str],
    out_dir: str,
    settings: Settings | None = None,
    config_file: str | None = None,
) -> RunSummary:
    """Articles in ``inputs`` to contract-1.1 JSONL (and its derived Parquet, CSV, positions and
    report) in ``out_dir``; returns the run's summary (manifest, input errors, warnings).

    Only new or changed articles are processed (the run folder's state store remembers what
    each model version did); ``config_file`` is read when ``settings`` is not given.
    """
    settings = settings or Settings.load(config_file)
    logger = get_run_logger()
    started, clock = datetime.now(UTC), time.perf_counter()
    with RunFolder.for_settings(Path(out_dir), settings) as folder:
        for message in folder.recovery.messages(folder.version):
            logger.warning("%s", message)
        files, urls, errors = discover_inputs(inputs, settings)
        read = read_inputs(files, fetch(urls, settings.ingest.fetch), settings)
        plan = folder.plan(read)
        logger.info(
            "%d articles to process (%d changed), %d already done by %s",
            len(plan.new),
            len(plan.changed),
            len(plan.unchanged),
            folder.version,
        )
        batches = list(_batches(plan.new, settings.articles_per_batch))
        progress = RunProgress(len(plan.new), f"stance run into {out_dir}")

        def commit(output: BatchOutput) -> None:
            progress.add(output, commit_batch(folder, output))

        if batches and settings.runner.kind == "dask":
            run_on_dask(extract_batch, batches, settings, commit)
        else:
            for batch in batches:
                commit(extract_batch(batch, settings))
        summary = folder.finish(
            inputs=inputs,
            plan=plan,
            errors=[*errors, *read.errors],
            runner={"kind": settings.runner.kind, "workers": progress.workers},
            started=started,
            clock=clock,
            settings=settings,
        )
    progress.publish(summary.manifest)
    create_markdown_artifact(
        markdown=summary.report, key="stance-run-report", description=f"stance run into {out_dir}"
    )
    counts = summary.manifest["counts"]
    logger.info(
        "wrote %s: %d articles processed, %d skipped, %d failed, %d statements",
        visible(out_dir),
        counts["articles_processed"],
        counts["articles_skipped"],
        counts["articles_failed"],
        counts["statements"],
    )
    return summary
