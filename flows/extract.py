"""The extraction flow: discover inputs, read them, extract statements in batches, write."""

import time
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.extract import ArticleResult, process_articles
from pipeline.ingest import CleanArticle
from pipeline.nlp import load_nlp
from pipeline.output.records import ErrorRecord
from pipeline.run import (
    ReadResult,
    build_manifest,
    discover,
    read_articles,
    write_manifest,
    write_outputs,
)
from pipeline.settings import Settings
from pipeline.stance.classifier import load_classifier


@task(name="discover-inputs", cache_policy=NO_CACHE)
def discover_inputs(inputs: list[str], settings: Settings) -> tuple[list[Path], list[ErrorRecord]]:
    files, errors = discover(inputs, settings.ingest)
    get_run_logger().info("found %d input files (%d input problems)", len(files), len(errors))
    return files, errors


@task(name="read-articles", cache_policy=NO_CACHE)
def read_inputs(files: list[Path], settings: Settings) -> ReadResult:
    result = read_articles(files, settings.ingest)
    logger = get_run_logger()
    for error in result.errors:
        logger.warning("input failed: %s: %s", error.source, error.message)
    logger.info(
        "read %d articles, %d failed, %d duplicates skipped",
        len(result.articles),
        len(result.errors),
        len(result.duplicates),
    )
    return result


@task(name="extract-statements", cache_policy=NO_CACHE, retries=0)
def extract_batch(articles: list[CleanArticle], settings: Settings) -> list[ArticleResult]:
    """Models are loaded once per process (cached loaders), never passed between tasks."""
    nlp = load_nlp(settings.actors.gazetteer_dir)
    classifier = load_classifier(
        settings.stance.model_dir, settings.stance.device, settings.stance.batch_size
    )
    return process_articles(articles, nlp, classifier, settings.spacy_batch_size)


@task(name="write-outputs", cache_policy=NO_CACHE)
def write_run(out_dir: Path, results: list[ArticleResult], errors: list[ErrorRecord], manifest: dict) -> None:
    write_outputs(out_dir, results, errors)
    write_manifest(out_dir, manifest)  # last: its presence means the record files are complete


@flow(name="stance-extract", log_prints=False, validate_parameters=False)
def extract_flow(inputs: list[str], out_dir: str, settings: Settings | None = None) -> dict:
    """Articles in ``inputs`` to contract-v1 JSONL in ``out_dir``; returns the manifest."""
    settings = settings or Settings()
    logger = get_run_logger()
    started, clock = datetime.now(UTC), time.perf_counter()
    files, errors = discover_inputs(inputs, settings)
    read = read_inputs(files, settings)
    errors = [*errors, *read.errors]
    results: list[ArticleResult] = []
    total = len(read.articles)
    step = settings.articles_per_batch
    for first in range(0, total, step):
        results.extend(extract_batch(read.articles[first : first + step], settings))
        elapsed = time.perf_counter() - clock
        logger.info(
            "extracted %d/%d articles, %d statements (%.2f articles/s)",
            len(results),
            total,
            sum(len(r.statements) for r in results),
            len(results) / max(elapsed, 1e-9),
        )
    model_tag = results[0].statements[0].model if any(r.statements for r in results) else _model_tag(settings)
    manifest = build_manifest(
        inputs=inputs,
        results=results,
        errors=errors,
        duplicates=read.duplicates,
        model_tag=model_tag,
        started=started.isoformat(),
        finished=datetime.now(UTC).isoformat(),
        seconds=time.perf_counter() - clock,
        settings=settings.model_dump(mode="json"),
    )
    write_run(Path(out_dir), results, errors, manifest)
    logger.info("wrote %s", out_dir)
    return manifest


def _model_tag(settings: Settings) -> str:
    from pipeline.stance.artefact import read_metadata

    try:
        return read_metadata(settings.stance.model_dir).tag
    except Exception:  # the run still reports what it did when the model is missing
        return "unknown@0"
