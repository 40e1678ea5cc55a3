from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeline.paths import CORPORA_DIR


class ActorsConfig(BaseModel):
    """Where the team's gazetteer lives and how mentions are resolved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gazetteer_dir: Path = Field(
        default=CORPORA_DIR / "gazetteer",
        description="Folder with countries.tsv, organizations.tsv, titles.tsv and people.tsv.",
    )
