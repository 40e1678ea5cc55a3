"""Deployments of the extraction flow for `stance serve`, one per ``[[schedules]]`` entry."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.schedules import Cron, Interval

from flows.extract import extract_flow
from pipeline.ingest.readers import split_inputs
from pipeline.settings import ScheduleConfig, Settings


def resolve_schedule(schedule: ScheduleConfig, base: Path) -> tuple[list[str], str]:
    """Inputs and output folder with relative paths taken from the config file's folder;
    URLs are kept as they are."""
    paths, _ = split_inputs(schedule.inputs)
    local = {p: str(p if Path(p).is_absolute() else (base / p)) for p in paths}
    inputs = [local.get(item, item) for item in schedule.inputs]
    out = schedule.out if schedule.out.is_absolute() else base / schedule.out
    return inputs, str(out)


def build_deployments(settings: Settings, config_file: Path | None) -> list[Any]:
    """One Prefect deployment of ``stance-extract`` per schedule, named after it."""
    base = (config_file.parent if config_file else Path.cwd()).resolve()
    deployments = []
    for schedule in settings.schedules:
        inputs, out = resolve_schedule(schedule, base)
        timing = (
            Cron(schedule.cron, timezone=schedule.timezone)
            if schedule.cron
            else Interval(timedelta(seconds=schedule.interval_seconds or 0))
        )
        deployments.append(
            extract_flow.to_deployment(
                name=schedule.name,
                parameters={
                    "inputs": inputs,
                    "out_dir": out,
                    "config_file": str(config_file.resolve()) if config_file else None,
                },
                tags=["stance", "scheduled", *schedule.tags],
                description=f"Extract stances from {', '.join(inputs)} into {out}, "
                "processing only new or changed articles.",
                schedule=timing,
                # one run per schedule at a time: a run still going when the next is due
                # makes the new one cancel itself (the state store would refuse it anyway)
                concurrency_limit=ConcurrencyLimitConfig(
                    limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
                ),
            )
        )
    return deployments
