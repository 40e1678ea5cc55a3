"""What a run must do in an output folder, and how it finishes; free of Prefect and the models.

``plan_articles`` splits the read articles into those to process and those this processing
version already did. ``finish_run`` writes what every run ends with: the derived outputs, the
errors and, last, the manifest. ``rerun_without_work`` puts the two together for the common
scheduled rerun where nothing is new: it reads the inputs, finds them all done, and finishes
the run in a second or two, without starting a Prefect server or loading a model.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.extract import article_id
from pipeline.ingest import CleanArticle
from pipeline.output.records import ErrorRecord
from pipeline.run import (
    ReadResult,
    build_manifest,
    discover,
    processing_version,
    read_articles,
    write_derived_outputs,
    write_errors,
    write_manifest,
)
from pipeline.state import Recovery, RunState

if TYPE_CHECKING:
    from pipeline.settings import Settings


@dataclass
class Plan:
    """Which read articles this run processes, and which it skips and why."""

    new: list[CleanArticle] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def plan_articles(articles: Sequence[CleanArticle], state: RunState) -> Plan:
    """New or changed articles are processed; those this version already did are skipped."""
    plan = Plan()
    for article in articles:
        key = article_id(article.text)
        if state.is_done(key):
            plan.unchanged.append(article.source)
            continue
        previous = state.known_source(article.source)
        if previous is not None and previous != key:
            plan.changed.append(article.source)
        plan.new.append(article)
    return plan


def finish_run(
    state: RunState,
    *,
    inputs: Sequence[str],
    plan: Plan,
    read: ReadResult,
    errors: Sequence[ErrorRecord],
    processed: int,
    statements: int,
    runner: dict[str, Any],
    started: datetime,
    clock: float,
    settings: "Settings",
) -> tuple[dict[str, Any], str]:
    """Derived outputs, errors and the manifest (written last: it describes the committed
    files); returns the manifest and the report's markdown."""
    report = write_derived_outputs(state.out_dir, len(errors))
    manifest = build_manifest(
        inputs=inputs,
        processed=processed,
        statements=statements,
        unchanged=plan.unchanged,
        changed=plan.changed,
        errors=errors,
        duplicates=read.duplicates,
        totals=state.totals(),
        out_dir=state.out_dir,
        version=state.version,
        runner=runner,
        started=started.isoformat(),
        finished=datetime.now(UTC).isoformat(),
        seconds=time.perf_counter() - clock,
        settings=settings.model_dump(mode="json"),
    )
    write_errors(state.out_dir, errors)
    write_manifest(state.out_dir, manifest)
    return manifest, report


@dataclass(frozen=True)
class Rerun:
    """A run finished without work: its manifest, and what opening the store repaired."""

    manifest: dict[str, Any]
    recovery: Recovery


def rerun_without_work(inputs: Sequence[str], out_dir: Path, settings: "Settings") -> Rerun | None:
    """Finish the run here when every input is already done by this processing version;
    ``None`` when there is work (or URLs to fetch, or no output folder yet): run the flow."""
    started, clock = datetime.now(UTC), time.perf_counter()
    if not (Path(out_dir) / settings.state_file).is_file():
        return None
    files, urls, errors = discover(inputs, settings.ingest)
    if urls:  # fetching belongs to the flow (its retries and its cache)
        return None
    read = read_articles(files, settings.ingest)
    with RunState(Path(out_dir), processing_version(settings), settings.state_file) as state:
        plan = plan_articles(read.articles, state)
        if plan.new:
            return None
        manifest, _ = finish_run(
            state,
            inputs=inputs,
            plan=plan,
            read=read,
            errors=[*errors, *read.errors],
            processed=0,
            statements=0,
            runner={"kind": "none", "workers": {}},
            started=started,
            clock=clock,
            settings=settings,
        )
        return Rerun(manifest, state.recovery)
