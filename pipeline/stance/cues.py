"""The cue of a labelled example, found by the same statement rules used at inference."""

from collections.abc import Sequence
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.stance.data import Example


def cue_for(doc: Doc, holder_start: int, holder_end: int, target: str | None) -> str | None:
    """The cue of the candidate whose holder word lies in chars holder_start..holder_end,
    preferring the candidate about ``target`` when the sentence has several."""
    found = [
        c for c in doc._.statement_candidates or () if holder_start <= doc[c.holder_token].idx < holder_end
    ]
    if target:
        about = [c for c in found if c.target is not None and c.target.span(doc).text in target]
        found = about or found
    return found[0].cue if found else None


def attach_cues(examples: Sequence[Example], nlp: Language, batch_size: int = 64) -> list[Example]:
    texts = list(dict.fromkeys(e.text for e in examples))
    docs = dict(zip(texts, nlp.pipe(texts, batch_size=batch_size), strict=True))
    return [
        replace(e, cue=cue_for(docs[e.text], e.holder_start, e.holder_start + len(e.holder), e.target))
        for e in examples
    ]
