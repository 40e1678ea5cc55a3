from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.attribution.bases import MPNET
from pipeline.attribution.runtime import Runtime
from pipeline.paths import MODELS_DIR

MODEL_NAME = "attribution-mpnet"
MODEL_VERSION = "3.0.0"
ENCODER = MPNET  # the encoder new models are trained on (pipeline/attribution/bases.py)
DEPTH = 6  # its first six of twelve layers: on guardian dev as good as eight, better than all twelve


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
    batch_size: int = Field(
        default=32,
        gt=0,
        description="Sentences encoded per batch by the torch runtime (ONNX runs each alone).",
    )
    runtime: Runtime = Field(
        default="onnx-int8",
        description="How the encoder runs: 'onnx-int8' (ONNX Runtime, int8 weights; the default), "
        "'onnx' (ONNX Runtime, float32) or 'torch' (PyTorch, as in training).",
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", description="Where the torch runtime runs: auto (CUDA when present), cpu or cuda."
    )
    threads: int = Field(
        default=2,
        ge=0,
        description="Sentences the ONNX encoder runs at once, one thread each (torch: its thread count); "
        "0: one per core. The encoder works while spaCy parses the next articles; on two cores 2 beat 1 "
        "(2.3x the parse against 3.0x on 200 Guardian articles): the encoder sets the pace.",
    )
