"""One typed settings model for the whole pipeline, from arguments and STANCE_* variables."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.actors.config import ActorsConfig
from pipeline.ingest.config import IngestConfig
from pipeline.stance.config import StanceConfig


class Settings(BaseSettings):
    """Nested fields are set from the environment with a double underscore, e.g.
    ``STANCE_INGEST__MAX_INPUT_BYTES=52428800`` or ``STANCE_STANCE__DEVICE=cpu``."""

    model_config = SettingsConfigDict(
        env_prefix="STANCE_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    ingest: IngestConfig = Field(default_factory=IngestConfig, description="Reading inputs.")
    actors: ActorsConfig = Field(default_factory=ActorsConfig, description="Actor gazetteer.")
    stance: StanceConfig = Field(default_factory=StanceConfig, description="Stance classifier.")
    articles_per_batch: int = Field(
        default=16, gt=0, description="Articles parsed and classified per extraction task."
    )
    spacy_batch_size: int = Field(default=32, gt=0, description="Texts per nlp.pipe batch.")
