"""One typed settings model for the whole pipeline: stance.toml, then STANCE_* variables, then flags.

Precedence, highest first: command-line options, ``STANCE_*`` environment variables,
the config file (``stance.toml`` in the working folder, or ``--config`` / ``STANCE_CONFIG``),
then the defaults below. Every field has a description; the README lists them all.
"""

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from pipeline.actors.config import ActorsConfig
from pipeline.attribution.config import AttributionConfig
from pipeline.errors import StanceError
from pipeline.ingest.config import IngestConfig
from pipeline.runs.layout import STATE_FILE
from pipeline.stance.config import StanceConfig

DEFAULT_CONFIG_FILE = Path("stance.toml")
CONFIG_ENV = "STANCE_CONFIG"

# The file the next Settings() reads; set by Settings.load, empty for plain Settings().
_config_file: ContextVar[Path | None] = ContextVar("stance_config_file", default=None)


class SettingsError(StanceError):
    """A config file or STANCE_* variable holds an invalid value; the message names the field."""


class RunnerConfig(BaseModel):
    """Where extraction batches run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["default", "dask"] = Field(
        default="default",
        description="'default': batches run one after another in the flow's process; "
        "'dask': batches run on a Dask cluster through prefect-dask's DaskTaskRunner.",
    )
    workers: int = Field(
        default=2, gt=0, le=256, description="Workers of the local Dask cluster started for a run."
    )
    threads_per_worker: int = Field(
        default=1, gt=0, le=64, description="Threads per Dask worker (models are loaded once per worker)."
    )
    address: str | None = Field(
        default=None,
        description="Address of a running Dask scheduler to join (e.g. tcp://10.0.0.5:8786) "
        "instead of starting a local cluster.",
    )
    memory_limit: str = Field(
        default="auto", description="Memory limit per local Dask worker ('auto', '4GiB', ...)."
    )


class ScheduleConfig(BaseModel):
    """One scheduled extraction that ``stance serve`` runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Deployment name.")
    inputs: list[str] = Field(min_length=1, description="Folders, files, globs, URLs or feeds to read.")
    out: Path = Field(description="Output folder; each run adds only new or changed articles.")
    cron: str | None = Field(default=None, description="Cron schedule, e.g. '*/15 * * * *'.")
    interval_seconds: int | None = Field(default=None, gt=0, description="Run every N seconds.")
    timezone: str = Field(default="UTC", description="Time zone of the cron schedule.")
    tags: list[str] = Field(default_factory=list, description="Extra Prefect tags on the runs.")

    @model_validator(mode="after")
    def _one_schedule(self) -> "ScheduleConfig":
        if (self.cron is None) == (self.interval_seconds is None):
            raise ValueError("give exactly one of 'cron' or 'interval_seconds'")
        if self.cron is not None:
            from prefect.client.schemas.schedules import CronSchedule

            try:  # Prefect's own check, the one `stance serve` will meet
                CronSchedule(cron=self.cron, timezone=self.timezone)
            except ValueError as exc:
                raise ValueError(f"invalid cron schedule '{self.cron}' ({self.timezone})") from exc
        return self


class Settings(BaseSettings):
    """Nested fields are set from the environment with a double underscore, e.g.
    ``STANCE_INGEST__MAX_INPUT_BYTES=52428800`` or ``STANCE_RUNNER__KIND=dask``."""

    model_config = SettingsConfigDict(
        env_prefix="STANCE_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    ingest: IngestConfig = Field(default_factory=IngestConfig, description="Reading inputs.")
    actors: ActorsConfig = Field(default_factory=ActorsConfig, description="Actor gazetteer.")
    stance: StanceConfig = Field(default_factory=StanceConfig, description="Stance classifier.")
    attribution: AttributionConfig = Field(
        default_factory=AttributionConfig, description="Learned attribution (holders and stances)."
    )
    runner: RunnerConfig = Field(default_factory=RunnerConfig, description="Where batches run.")
    articles_per_batch: int = Field(
        default=64, gt=0, description="Articles parsed, classified and committed per batch."
    )
    spacy_batch_size: int = Field(default=32, gt=0, description="Texts per nlp.pipe batch.")
    state_file: str = Field(
        default=STATE_FILE,
        min_length=1,
        description="The incremental-run state store (SQLite), relative to the output folder.",
    )
    schedules: list[ScheduleConfig] = Field(
        default_factory=list, description="Scheduled extractions for `stance serve`."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file.get()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @classmethod
    def load(cls, config_file: Path | str | None = None, **overrides: Any) -> "Settings":
        """Settings from ``config_file`` (or $STANCE_CONFIG, or ./stance.toml when present),
        STANCE_* variables and ``overrides``; invalid values raise SettingsError naming the field."""
        path = resolve_config_file(config_file)
        token = _config_file.set(path)
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise SettingsError(describe_validation_error(exc, path)) from None
        except (OSError, ValueError) as exc:  # an unreadable or malformed TOML file
            raise SettingsError(f"{path}: cannot read config file ({exc})") from None
        finally:
            _config_file.reset(token)

    def with_updates(self, **sections: dict[str, Any]) -> "Settings":
        """A copy with some fields of nested sections replaced, validated like the originals."""
        data = self.model_dump()
        for section, values in sections.items():
            data[section] = {**data[section], **{k: v for k, v in values.items() if v is not None}}
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            raise SettingsError(describe_validation_error(exc, None)) from None


def resolve_config_file(config_file: Path | str | None) -> Path | None:
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise SettingsError(f"{path}: config file not found")
        return path
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise SettingsError(f"{path}: config file not found (named by ${CONFIG_ENV})")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def describe_validation_error(exc: ValidationError, path: Path | None) -> str:
    """One line per bad field: its dotted name, the STANCE_* variable, what is wrong."""
    where = f"{path} or STANCE_* variables" if path else "STANCE_* variables or options"
    lines = [f"invalid settings ({where}):"]
    for problem in exc.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        variable = "STANCE_" + "__".join(
            str(part).upper() for part in problem["loc"] if not isinstance(part, int)
        )
        value = problem.get("input")
        shown = "" if isinstance(value, dict) else f" (got {value!r})"
        lines.append(f"  {field}: {problem['msg']}{shown} [env {variable}]")
    return "\n".join(lines)
