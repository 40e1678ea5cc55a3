"""A rerun with nothing new to do, finished without Prefect and without a model.

The common scheduled rerun: read the inputs, find every article already done by this
processing version, and finish the run (errors, derived files, manifest) in a second or two.
"""

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.ingest import discover, read_articles
from pipeline.runs.folder import RunFolder, RunSummary

if TYPE_CHECKING:
    from pipeline.settings import Settings


def rerun_without_work(inputs: Sequence[str], out_dir: Path, settings: "Settings") -> RunSummary | None:
    """The finished run when every input is already done by this processing version; ``None``
    when there is work (or URLs to fetch, or no output folder yet): run the flow."""
    started, clock = datetime.now(UTC), time.perf_counter()
    if not (Path(out_dir) / settings.state_file).is_file():
        return None
    files, urls, errors = discover(inputs, settings.ingest)
    if urls:  # fetching belongs to the flow (its retries and its cache)
        return None
    read = read_articles(files, settings.ingest)
    # plan before repairing: where there is work, the flow's run repairs the folder and reports
    # it; repaired here, that went unsaid
    with RunFolder.for_settings(Path(out_dir), settings, repair=False) as folder:
        if folder.store.generation() != folder.version:
            return None  # another version's files: archiving them starts this version afresh
        plan = folder.plan(read)
        if plan.new:
            return None
        folder.repair()  # within this version it only cuts a killed run's bytes: the plan stands
        return folder.finish(
            inputs=inputs,
            plan=plan,
            errors=[*errors, *read.errors],
            runner={"kind": "none", "workers": {}},
            started=started,
            clock=clock,
            settings=settings,
        )
