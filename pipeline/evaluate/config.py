from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeline.paths import CORPORA_DIR, PROJECT_ROOT


class DevSetConfig(BaseModel):
    """Where the gold annotations and the referenced public text live."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    devset_dir: Path = Field(
        default=CORPORA_DIR / "devset", description="Gold annotations (*.jsonl), references only."
    )
    shared_corpora: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "corpora",
        description="Root the references resolve against (the read-only shared corpora).",
    )
