from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeline.paths import MODELS_DIR

MODEL_NAME = "attribution-minilm"
MODEL_VERSION = "1.1.0"


class AttributionConfig(BaseModel):
    """The learned attribution model (holder, stance, target, speaker for each candidate)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(
        default=True,
        description="Decide holders and stances with the learned model; false: the dependency rules "
        "and the stance classifier alone (the comparison baseline).",
    )
    model_dir: Path = Field(
        default=MODELS_DIR / f"{MODEL_NAME}-v{MODEL_VERSION.split('.')[0]}",
        description="Folder of the trained attribution head (attribution.json, head.safetensors).",
    )
    batch_size: int = Field(default=32, gt=0, description="Sentences encoded per batch.")
